import { expect, test } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { expectExactStepping, loopStepper, position, seek, snapshot } from './loop-steppers.ts';

const LESSON = '/lessons/designing-a-socket-api/';





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
    const widget = await loopStepper(page, key);
    await expectExactStepping(widget, 6);
    expect(problems).toEqual([]);
  });
}

test('the dual-stack server accepts an IPv4 client as ::ffff:127.0.0.1 and an IPv6 one as ::1 on the same socket', async ({ page }) => {
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-dualstack-server');
  await seek(widget, 'end');
  const output = widget.locator('.loop-output');
  await expect(output).toContainText("listening on ('::', 65432, 0, 0)");
  await expect(output).toContainText("IPv4 client ('::ffff:127.0.0.1', 50001, 0, 0) reached ('::ffff:127.0.0.1', 65432, 0, 0)");
  await expect(output).toContainText("IPv6 client ('::1', 50002, 0, 0) reached ('::1', 65432, 0, 0)");
});

test('a permalink reopens the timeout client at the step its recv() raised TimeoutError', async ({ page, browser }) => {
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-timeout-client');
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
  const again = await loopStepper(other, 'loop-timeout-client');
  await expect(position(again)).toHaveText(new RegExp(`^step ${found} of`));
  expect(await snapshot(again)).toEqual(here);
  await context.close();
});
