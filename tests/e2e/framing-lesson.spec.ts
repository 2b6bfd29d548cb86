import { expect, test, type Locator } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { expectExactStepping, loopStepper, position, seek, snapshot } from './loop-steppers.ts';

const LESSON = '/lessons/messages-on-a-byte-stream/';





/** What a simulated client has received, from the clients table's row for it (the `received` column). */
async function received(pane: Locator, client: string): Promise<string> {
  await pane.locator('details.loop-details').evaluate((details: HTMLDetailsElement) => (details.open = true));
  const table = pane.locator('table.loop-state').filter({ has: pane.page().locator('th', { hasText: /^received$/ }) });
  const columns = await table.locator('th').allInnerTexts();
  const row = table.locator('tbody tr').filter({ has: pane.page().locator('td:first-child', { hasText: new RegExp(`^${client}$`) }) });
  return row.locator('td').nth(columns.indexOf('received')).innerText();
}

test('the lesson comes after the chat server in the pager, the sidebar and the home page, with its programs to download', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/chat-server-with-threads/');
  await expect(page.locator('a[rel="next"]')).toHaveAttribute('href', LESSON);

  await page.goto(LESSON);
  await expect(page.locator('a[rel="prev"]')).toHaveAttribute('href', '/lessons/chat-server-with-threads/');
  const lessons = page.locator('.course-nav-lessons a');
  await expect(lessons.nth(6)).toHaveAttribute('href', LESSON);
  await expect(lessons.nth(6)).toHaveAttribute('aria-current', 'page');
  const downloads = page.locator('figure.program a[download]');
  expect(await downloads.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
    '/programs/chat_server_framed.py',
    '/programs/framed_server.py',
    '/programs/framed_client.py',
  ]);
  const file = await page.request.get('/programs/framed_server.py');
  expect(await file.text()).toContain('struct.unpack("!I", header)');
  await expect(page.locator('loop-stepper')).toHaveCount(3);

  await page.goto('/');
  const items = page.locator('.lesson-list a[data-lesson]');
  expect(await items.evaluateAll((links) => links.map((a) => a.getAttribute('data-lesson')))).toContain('messages-on-a-byte-stream');
  await expect(items.nth(6)).toHaveAttribute('data-lesson', 'messages-on-a-byte-stream');
  expect(problems).toEqual([]);
});

for (const key of ['framing-coalesced', 'loop-chat-server-vs-chat-server-framed', 'loop-framed-server']) {
  test(`${key}: steps forward and back to exactly the same state`, async ({ page }) => {
    const problems = watchConsole(page);
    await page.goto(LESSON);
    const widget = await loopStepper(page, key);
    await expectExactStepping(widget, 5);
    expect(problems).toEqual([]);
  });
}

test('a permalink reopens the length-prefixed server at the same step, a split character and all', async ({ page, browser }) => {
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-framed-server');
  // Find the step whose recv() returned the first byte of "é" without the second.
  const max = Number(await widget.locator('input[data-part="timeline"]').getAttribute('max'));
  let found = -1;
  for (let step = 1; step <= max && found < 0; step++) {
    await seek(widget, step);
    const locals = await widget.locator('.loop-state').first().innerText();
    if (locals.includes("chunk = b'caf\\xc3'")) found = step;
  }
  expect(found).toBeGreaterThan(0);
  const here = await snapshot(widget);
  await expect.poll(() => page.url()).toContain(`loop-framed-server.step=${found}`);

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = await loopStepper(other, 'loop-framed-server');
  await expect(position(again)).toHaveText(new RegExp(`^step ${found} of`));
  expect(await snapshot(again)).toEqual(here);
  // Decoding only whole messages: the split character never reaches decode(), so nothing is raised.
  await seek(again, 'end');
  await expect(again.locator('.loop-output')).toContainText("'café'");
  expect(await received(again.locator('.loop-pane'), 'A')).toBe("b'\\x00\\x00\\x00\\x05HELLO\\x00\\x00\\x00\\x05CAF\\xc3\\x89'");
  await context.close();
});

test('side by side: the unframed server splices B’s line into A’s, the framed one delivers whole lines', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const widget = await loopStepper(page, 'loop-chat-server-vs-chat-server-framed');
  const [unframed, framed] = [widget.locator('.loop-pane').nth(0), widget.locator('.loop-pane').nth(1)];
  await seek(widget, 'end');
  expect(await received(unframed, 'C')).toBe("b'hello frhi from B\\nom A\\n'");
  expect(await received(framed, 'C')).toBe("b'hi from B\\nhello from A\\n'");
  expect(await received(unframed, 'B')).toBe("b'hello from A\\n'");
  expect(await received(framed, 'B')).toBe("b'hello from A\\n'");
  await widget.screenshot({ path: `${SHOTS}/framing-side-by-side.png` });

  // Two lines and a half in one recv(): the unframed server passes the half line on, the framed one keeps it back.
  await widget.getByLabel('Scenario').selectOption('coalesced');
  await seek(widget, 'end');
  expect(await received(unframed, 'B')).toBe("b'one\\ntwo\\nthr'");
  expect(await received(framed, 'B')).toBe("b'one\\ntwo\\n'");
  expect(problems).toEqual([]);
});
