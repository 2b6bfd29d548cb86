import { expect, test, type Locator } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { expectExactStepping, lastStep, loopStepper, position, seek, snapshot } from './loop-steppers.ts';

const LESSON = '/lessons/asyncio-stepped/';






/** A state table's body as rows of cell texts (read even while its details are shut); [] when the table shows no rows or is absent. */
async function rows(widget: Locator, name: string): Promise<string[][]> {
  const table = widget.locator(`table[data-table="${name}"]`);
  if ((await table.count()) === 0) return [];
  return table
    .first()
    .evaluate((table: HTMLTableElement) => [...table.tBodies].flatMap((body) => [...body.rows].map((row) => [...row.cells].map((cell) => (cell.textContent ?? "").trim()))));
}

/** What a simulated client has received, from the clients table's row for it (the `received` column). */
async function received(pane: Locator, client: string): Promise<string> {
  await pane.locator('details.loop-details').evaluate((details: HTMLDetailsElement) => (details.open = true));
  const table = pane.locator('table.loop-state').filter({ has: pane.page().locator('th', { hasText: /^received$/ }) });
  const columns = await table.locator('th').allInnerTexts();
  const row = table.locator('tbody tr').filter({ has: pane.page().locator('td:first-child', { hasText: new RegExp(`^${client}$`) }) });
  return row.locator('td').nth(columns.indexOf('received')).innerText();
}

/** Each check's outcome as the list shows it: id → pass. */
const outcomes = (widget: Locator) =>
  widget.locator('.check-item').evaluateAll((items) => Object.fromEntries(items.map((item) => [(item as HTMLElement).dataset.check, (item as HTMLElement).dataset.pass === 'true'])));

/** The first step at which Task-4 (the first handler) is waiting in readline() on fd 7 and the loop's next callback is a select(). */
async function findReadlineWait(widget: Locator): Promise<number> {
  const max = await lastStep(widget);
  for (let step = 1; step <= max; step++) {
    await seek(widget, step);
    const task = (await rows(widget, 'tasks')).find((row) => row[0] === 'Task-4');
    if (task !== undefined && task[3] === 'waiting' && task[4]!.includes('readline() on fd 7')) {
      const ready = await rows(widget, 'ready');
      if (ready.length === 0) return step;
    }
  }
  return -1;
}

test('the lesson follows lesson 7 in the pager and the sidebar, with four steppers and its programs to download', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/messages-on-a-byte-stream/');
  await expect(page.locator('a[rel="next"]')).toHaveAttribute('href', LESSON);
  await page.goto(LESSON);
  await expect(page.locator('a[rel="prev"]')).toHaveAttribute('href', '/lessons/messages-on-a-byte-stream/');
  const lessons = page.locator('.course-nav-lessons a');
  await expect(lessons.nth(7)).toHaveAttribute('href', LESSON);
  await expect(lessons.nth(7)).toHaveAttribute('aria-current', 'page');
  expect(await page.locator('loop-stepper').evaluateAll((all) => all.map((one) => one.getAttribute('data-key')))).toEqual([
    'loop-asyncio-echo-server',
    'loop-asyncio-chat-server',
    'loop-asyncio-chat-server-vs-chat-server-framed',
    'loop-asyncio-echo-blocking',
  ]);
  const downloads = page.locator('figure.program a[download]');
  expect(await downloads.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/programs/asyncio_echo_server.py', '/programs/asyncio_chat_server.py']);
  expect(await (await page.request.get('/programs/asyncio_echo_blocking.py')).text()).toContain('time.sleep(1)');
  await expect(page.locator('.exercise')).toHaveCount(6);
  expect(problems).toEqual([]);
});

for (const key of ['loop-asyncio-echo-server', 'loop-asyncio-chat-server', 'loop-asyncio-chat-server-vs-chat-server-framed', 'loop-asyncio-echo-blocking']) {
  test(`${key}: steps forward and back to exactly the same state`, async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(LESSON);
    const widget = await loopStepper(page, key);
    await expectExactStepping(widget, 5);
    expect(problems).toEqual([]);
  });
}

test('the echo stepper shows Task-4 waiting in readline() and the ready queue filling as A’s line arrives; a permalink restores the step', async ({ page, browser }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-asyncio-echo-server');
  const waiting = await findReadlineWait(widget);
  expect(waiting).toBeGreaterThan(0);
  // The handler's line is marked in the listing with its task's name.
  await expect(widget.locator('.loop-code li[aria-current="step"]').filter({ hasText: 'await reader.readline()' })).toContainText('Task-4');
  expect(await rows(widget, 'transports')).toEqual([['7', '127.0.0.1:50001', "b''", 'open']]);

  // Step on until the loop's select() reports fd 7: _read_ready joins the queue, then runs and queues Task-4.
  const max = await lastStep(widget);
  let readReady = -1;
  for (let step = waiting + 1; step <= max && readReady < 0; step++) {
    await seek(widget, step);
    if ((await rows(widget, 'ready')).some((row) => row[1] === '_read_ready (fd 7)')) readReady = step;
  }
  expect(readReady).toBeGreaterThan(waiting);
  expect(await rows(widget, 'ready')).toEqual([['1', '_read_ready (fd 7)', 'this iteration']]);
  await widget.getByRole('button', { name: 'Step forward' }).click();
  await expect(position(widget)).toHaveText(new RegExp(`^step ${readReady + 1} of`));
  expect(await rows(widget, 'ready')).toEqual([['1', 'Task-4 step', 'next iteration']]);
  const here = await snapshot(widget);
  await expect.poll(() => page.url()).toContain(`loop-asyncio-echo-server.step=${readReady + 1}`);
  await widget.screenshot({ path: `${SHOTS}/asyncio-echo-ready-queue.png` });

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = await loopStepper(other, 'loop-asyncio-echo-server');
  await expect(position(again)).toHaveText(new RegExp(`^step ${readReady + 1} of`));
  expect(await snapshot(again)).toEqual(here);
  expect(await rows(again, 'ready')).toEqual([['1', 'Task-4 step', 'next iteration']]);
  await context.close();
  expect(problems).toEqual([]);
});

test('side by side: one thread with a task per client on the left, a thread per client on the right, the same bytes delivered', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-asyncio-chat-server-vs-chat-server-framed');
  const [asyncio, threads] = [widget.locator('.loop-pane').nth(0), widget.locator('.loop-pane').nth(1)];
  // After C connects (the fourth event), all three handlers wait to read.
  await seek(widget, 4);
  const tasks = await rows(asyncio, 'tasks');
  expect(tasks.map((row) => row[0])).toEqual(['Task-1', 'Task-4', 'Task-6', 'Task-8']);
  for (const [task, fd] of [['Task-4', 7], ['Task-6', 8], ['Task-8', 9]] as const) {
    const row = tasks.find((cells) => cells[0] === task)!;
    expect(row.slice(1, 4)).toEqual(['handle', '26', 'waiting']);
    expect(row[4]).toContain(`readline() on fd ${fd}`);
  }
  await expect(threads.locator('table[data-table="tasks"]')).toHaveCount(0);
  await seek(widget, 'end');
  expect(await received(asyncio, 'C')).toBe(await received(threads, 'C'));
  expect(await received(asyncio, 'A')).toBe("b'hi from B\\nhi from C\\n'");
  expect(await received(threads, 'A')).toBe("b'hi from B\\nhi from C\\n'");
  expect(problems).toEqual([]);
});

test('the blocking call leaves a client unanswered under Test my server, where the lesson’s echo server passes', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const blocking = await loopStepper(page, 'loop-asyncio-echo-blocking');
  await blocking.getByRole('button', { name: 'Test my server' }).click();
  await expect(blocking.locator('[data-part="check-summary"]')).toHaveAttribute('data-total', '5', { timeout: 60_000 });
  await expect(blocking.locator('.check-item[data-check="echo-order"][data-pass="false"]')).toHaveCount(1);
  expect(Object.values(await outcomes(blocking))).toEqual([false, false, false, false, false]);
  await blocking.locator('.loop-checks').screenshot({ path: `${SHOTS}/asyncio-blocking-checks.png` });

  const echo = await loopStepper(page, 'loop-asyncio-echo-server');
  await echo.getByRole('button', { name: 'Test my server' }).click();
  await expect(echo.locator('[data-part="check-summary"]')).toHaveAttribute('data-total', '5', { timeout: 60_000 });
  await expect(echo.locator('.check-item[data-check="echo-order"][data-pass="true"]')).toHaveCount(1);
  expect(problems).toEqual([]);
});
