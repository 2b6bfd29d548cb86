import { expect, test, type Locator } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { expectExactStepping, loopStepper, position, seek, snapshot } from './loop-steppers.ts';

const LESSON = '/lessons/readiness-and-completion/';





/** The tally's numbers, from its data attributes. */
async function tally(pane: Locator): Promise<{ serving: number; total: number; wakeups: number; messages: number; calls: Record<string, number> }> {
  const box = pane.locator('.uring-tally');
  const data = await box.evaluate((element: HTMLElement) => ({ ...element.dataset }));
  const rows = await box.locator('tr[data-syscall]').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.syscall ?? '', Number((tr as HTMLElement).dataset.count)] as const));
  return {
    serving: Number(data.syscallsServing),
    total: Number(data.syscallsTotal),
    wakeups: Number(data.wakeups),
    messages: Number(data.messages),
    calls: Object.fromEntries(rows),
  };
}

test('the lesson renders with its programs and steppers, and lesson 5 links to it', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  await expect(page.locator('h1')).toContainText('Readiness and completion');
  await expect(page.locator('.course-nav-lessons a[aria-current="page"]')).toHaveAttribute('href', LESSON);
  const downloads = page.locator('figure.program a[download]');
  expect(await downloads.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/programs/epoll_echo.py', '/programs/uring_echo.py']);
  expect(await (await page.request.get('/programs/uring_echo.py')).text()).toContain('ring.prep_recv(');
  await expect(page.locator('loop-stepper')).toHaveCount(2);
  await expect(page.locator('.exercise')).toHaveCount(6);

  await page.goto('/');
  const order = await page.locator('.lesson-list a[data-lesson]').evaluateAll((links) => links.map((a) => a.getAttribute('data-lesson')));
  expect(order.indexOf('readiness-and-completion')).toBeGreaterThan(order.indexOf('messages-on-a-byte-stream'));

  await page.goto('/lessons/selectors/');
  await page.locator(`a[href="${LESSON}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`${LESSON}$`));
  expect(problems).toEqual([]);
});

for (const key of ['uring-one-client', 'readiness-completion']) {
  test(`${key}: steps forward and back to exactly the same state`, async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(LESSON);
    const widget = await loopStepper(page, key);
    await expectExactStepping(widget, 4);
    expect(problems).toEqual([]);
  });
}

test('the completion stepper draws the request in flight, then its CQE in the CQ, and a permalink reopens that step', async ({ page, browser }) => {
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'uring-one-client');
  const max = Number(await widget.locator('input[data-part="timeline"]').getAttribute('max'));
  // The first step whose CQ holds a CQE: A's accept, completed in the step A connected.
  let found = -1;
  for (let step = 1; step <= max && found < 0; step++) {
    await seek(widget, step);
    if ((await widget.evaluate((root) => root.querySelector('[data-ring="cq"]')?.getAttribute('data-entries'))) === '1') found = step;
  }
  expect(found).toBeGreaterThan(0);
  await expect(widget.locator('[data-ring="cq"] .uring-entry')).toHaveAttribute('data-res', '5');
  await expect(widget.locator('[data-ring="in-flight"]')).toHaveAttribute('data-entries', '0');
  await seek(widget, found - 1);
  await expect(widget.locator('[data-ring="in-flight"]')).toHaveAttribute('data-entries', '1');
  await expect(widget.locator('[data-ring="in-flight"] .uring-entry')).toHaveAttribute('data-op', 'accept');
  await seek(widget, found);
  const here = await snapshot(widget);
  await expect.poll(() => page.url()).toContain(`uring-one-client.step=${found}`);

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = await loopStepper(other, 'uring-one-client');
  await expect(position(again)).toHaveText(new RegExp(`^step ${found} of`));
  expect(await snapshot(again)).toEqual(here);
  await context.close();
});

test('side by side, the same workload costs the two servers different system calls and the same wake-ups', async ({ page, browser }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'readiness-completion');
  const [readiness, completion] = [widget.locator('.loop-pane').nth(0), widget.locator('.loop-pane').nth(1)];
  await seek(widget, 'end');
  const left = await tally(readiness);
  const right = await tally(completion);
  expect(left.messages).toBe(4);
  expect(right.messages).toBe(4);
  expect(left.wakeups).toBe(right.wakeups);
  expect(left.serving).toBe(36);
  expect(right.serving).toBe(25);
  expect(left.calls).toMatchObject({ epoll_wait: 10, accept4: 3, recvfrom: 7, sendto: 4 });
  expect(Object.keys(right.calls)).not.toContain('epoll_wait');
  expect(right.calls['io_uring_enter']).toBe(25);
  await expect(readiness.locator('[data-ring]')).toHaveCount(0);
  await expect(completion.locator('[data-ring="sq"]')).toHaveAttribute('data-entries', '0');
  await expect(completion.locator('[data-ring="in-flight"] .uring-entry')).toHaveAttribute('data-op', 'accept');
  // Both echo the same bytes to every client.
  for (const pane of [readiness, completion]) await pane.locator('details.loop-details').evaluate((details: HTMLDetailsElement) => (details.open = true));
  const clients = async (pane: Locator) => pane.locator('table.loop-state').filter({ hasText: 'received' }).last().innerText();
  expect(await clients(completion)).toBe(await clients(readiness));

  // A permalink to a middle step reopens both panes' counts exactly.
  await seek(widget, 6);
  const here = await snapshot(widget);
  await expect.poll(() => page.url()).toContain('readiness-completion.step=6');
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = await loopStepper(other, 'readiness-completion');
  await expect(position(again)).toHaveText(/^step 6 of/);
  expect(await snapshot(again)).toEqual(here);
  await context.close();

  await widget.screenshot({ path: `${SHOTS}/readiness-completion.png` });
  expect(problems).toEqual([]);
});
