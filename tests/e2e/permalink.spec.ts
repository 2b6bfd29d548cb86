import { expect, test } from '@playwright/test';

const LESSON = '/lessons/handshake-and-goodbye/';

test('loading and scrolling a lesson leaves the address alone', async ({ page }) => {
  await page.goto(LESSON);
  for (const stepper of await page.locator('tcp-stepper').all()) {
    await stepper.scrollIntoViewIfNeeded();
    await expect(stepper).toHaveAttribute('data-ready', 'true');
  }
  expect(new URL(page.url()).search).toBe('');
});

test("the first stepper's copied link opens that stepper at its step", async ({ page, context, browser, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL ?? '').origin });
  await page.goto(LESSON);
  // Touch the last stepper first, so the address carries another stepper's state too.
  const last = page.locator('tcp-stepper').last();
  await last.scrollIntoViewIfNeeded();
  await expect(last).toHaveAttribute('data-ready', 'true');
  await last.getByRole('button', { name: 'Step forward' }).click();
  expect(page.url()).toContain('tcp-active-close.step=1');

  const first = page.locator('tcp-stepper').first();
  await first.scrollIntoViewIfNeeded();
  await expect(first).toHaveAttribute('data-ready', 'true');
  for (let i = 0; i < 4; i++) await first.getByRole('button', { name: 'Step forward' }).click();
  await expect(first.locator('.stepper-position')).toHaveText(/^step 4 of/);
  await first.getByRole('button', { name: 'Copy a link to this step' }).click();
  await expect(first.getByRole('button', { name: 'Link copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).not.toContain('tcp-active-close');

  const other = await (await browser.newContext()).newPage();
  await other.goto(copied);
  const opened = other.locator('tcp-stepper').first();
  await expect(opened).toBeInViewport();
  await expect(opened).toHaveAttribute('data-ready', 'true');
  await expect(opened.locator('.stepper-position')).toHaveText(/^step 4 of/);
  await expect(other.locator('tcp-stepper').last()).not.toBeInViewport();
  await other.context().close();
});
