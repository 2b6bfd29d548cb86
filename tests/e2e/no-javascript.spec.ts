import { expect, test } from '@playwright/test';

test.describe('with JavaScript', () => {
  test('the note stays hidden and the controls show', async ({ page }) => {
    await page.goto('/lessons/selectors/');
    const stepper = page.locator('loop-stepper').first();
    await expect(stepper.locator('.stepper-noscript')).toBeHidden();
    await expect(stepper.getByRole('button', { name: 'Step forward' })).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  for (const path of ['/lessons/handshake-and-goodbye/', '/lessons/selectors/']) {
    test(`without JavaScript, ${path} shows no stepper control that would do nothing, and says why`, async ({ page }) => {
      await page.goto(path);
      const steppers = page.locator('tcp-stepper, loop-stepper');
      expect(await steppers.count()).toBeGreaterThan(0);
      for (const stepper of await steppers.all()) {
        await expect(stepper.locator('.stepper-noscript')).toBeVisible();
        for (const control of await stepper.locator('button, select, input').all()) await expect(control).toBeHidden();
      }
    });
  }

  test('without JavaScript, a loop stepper links to the program it would step', async ({ page, request }) => {
    await page.goto('/lessons/selectors/');
    const link = page.locator('loop-stepper').first().locator('.stepper-noscript a').first();
    await expect(link).toBeVisible();
    const href = (await link.getAttribute('href')) ?? '';
    const response = await request.get(href);
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain('import selectors');
  });
});
