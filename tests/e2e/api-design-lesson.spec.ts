import { expect, test, type Locator, type Page } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';

const LESSON = '/lessons/designing-a-socket-api/';

async function stepper(page: Page, key: string): Promise<Locator> {
  const found = page.locator(`loop-stepper[data-key="${key}"]`);
  await found.scrollIntoViewIfNeeded();
  // The stepper's script loads when it scrolls into view; a busy machine can take a while.
  await expect(found).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  return found;
}

const position = (widget: Locator) => widget.locator('.stepper-position');

async function seek(widget: Locator, step: number | 'end'): Promise<void> {
  await widget.locator('input[data-part="timeline"]').evaluate((input: HTMLInputElement, value) => {
    input.value = value === 'end' ? input.max : String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
}

/** Everything the pane shows of the run at this step: marked lines, state tables, output. */
async function snapshot(widget: Locator): Promise<string[]> {
  return [
    ...(await widget.locator('.loop-code li[aria-current="step"]').allInnerTexts()),
    ...(await widget.locator('.loop-state').allInnerTexts()),
    ...(await widget.locator('.loop-output').allInnerTexts()),
  ];
}

test('the lesson renders with its objectives, both steppers, its programs to download and its exercises', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Designing a socket API');
  await expect(page.locator('.course-nav-lessons a[aria-current="page"]')).toHaveAttribute('href', LESSON);
  await expect(page.locator('loop-stepper')).toHaveCount(2);
  const downloads = page.locator('figure.program a[download]');
  expect(await downloads.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/programs/dualstack_server.py', '/programs/timeout_client.py']);
  const file = await page.request.get('/programs/timeout_client.py');
  expect(await file.text()).toContain('socket.create_connection((HOST, PORT), timeout=2.5)');
  expect(await page.locator('.exercise').count()).toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: `${SHOTS}/api-design-lesson.png`, fullPage: false });
  expect(problems).toEqual([]);
});

for (const key of ['loop-dualstack-server', 'loop-timeout-client']) {
  test(`${key}: steps forward and back to exactly the same state`, async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(LESSON);
    const widget = await stepper(page, key);
    const forward = widget.getByRole('button', { name: 'Step forward' });
    const back = widget.getByRole('button', { name: 'Step back' });
    for (let i = 0; i < 6; i++) await forward.click();
    await expect(position(widget)).toHaveText(/^step 6 of \d+/);
    const at6 = await snapshot(widget);
    await forward.click();
    await forward.click();
    expect(await snapshot(widget)).not.toEqual(at6);
    await back.click();
    await back.click();
    await expect(position(widget)).toHaveText(/^step 6 of/);
    expect(await snapshot(widget)).toEqual(at6);

    await seek(widget, 'end');
    const atEnd = await snapshot(widget);
    await seek(widget, 6);
    expect(await snapshot(widget)).toEqual(at6);
    await seek(widget, 'end');
    expect(await snapshot(widget)).toEqual(atEnd);
    expect(problems).toEqual([]);
  });
}

test('the dual-stack server accepts an IPv4 client as ::ffff:127.0.0.1 and an IPv6 one as ::1 on the same socket', async ({ page }) => {
  await page.goto(LESSON);
  const widget = await stepper(page, 'loop-dualstack-server');
  await seek(widget, 'end');
  const output = widget.locator('.loop-output');
  await expect(output).toContainText("listening on ('::', 65432, 0, 0)");
  await expect(output).toContainText("IPv4 client ('::ffff:127.0.0.1', 50001, 0, 0) reached ('::ffff:127.0.0.1', 65432, 0, 0)");
  await expect(output).toContainText("IPv6 client ('::1', 50002, 0, 0) reached ('::1', 65432, 0, 0)");
});

test('a permalink reopens the timeout client at the step its recv() raised TimeoutError', async ({ page, browser }) => {
  await page.goto(LESSON);
  const widget = await stepper(page, 'loop-timeout-client');
  const max = Number(await widget.locator('input[data-part="timeline"]').getAttribute('max'));
  let found = -1;
  for (let step = 1; step <= max && found < 0; step++) {
    await seek(widget, step);
    // The output block appears once the program has printed something.
    if ((await widget.locator('.loop-output').allInnerTexts()).join('\n').includes('nothing more within')) found = step;
  }
  expect(found).toBeGreaterThan(0);
  await expect(widget.locator('.loop-output')).toContainText("nothing more within 2.5 s: TimeoutError('timed out')");
  // One step earlier the line has not printed yet: the exception was being caught.
  await seek(widget, found - 1);
  await expect(widget.locator('.loop-output')).not.toContainText('nothing more within');
  await seek(widget, found);
  const here = await snapshot(widget);
  await expect.poll(() => page.url()).toContain(`loop-timeout-client.step=${found}`);

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = await stepper(other, 'loop-timeout-client');
  await expect(position(again)).toHaveText(new RegExp(`^step ${found} of`));
  expect(await snapshot(again)).toEqual(here);
  await context.close();
});
