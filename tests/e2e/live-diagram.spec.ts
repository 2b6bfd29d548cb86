import net from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { focused, SHOTS, watchConsole } from './support.ts';

/** What the terminal shows, read from xterm's accessible buffer. */
async function terminalText(page: Page): Promise<string> {
  return page.locator('.lab-terminal .xterm-rows').innerText();
}

async function openLab(page: Page): Promise<string> {
  await page.goto('/lessons/echo-server/');
  await page.locator('echo-lab').scrollIntoViewIfNeeded();
  await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open');
  // Count what the session sends the page, from the event the lab announces for other widgets.
  await page.evaluate(() => {
    const counter = window as unknown as { sandboxEvents: number };
    counter.sandboxEvents = 0;
    document.addEventListener('socket-playground:sandbox-events', (event) => {
      counter.sandboxEvents += (event as CustomEvent<{ events: unknown[] }>).detail.events.length;
    });
  });
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
  return page.locator('.lab-address').innerText();
}

/** Whether an element is inside the diagram's scroll box as it is on screen. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const element = [...document.querySelectorAll(sel)].at(-1);
    const box = document.querySelector('.lab-diagram')?.getBoundingClientRect();
    if (element === undefined || box === undefined) return false;
    const rect = element.getBoundingClientRect();
    return rect.right > box.left && rect.left < box.right && rect.bottom > box.top && rect.top < box.bottom;
  }, selector);
}

test('after 8,000 events the first connection is still drawn, and a new line still shows', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const address = await openLab(page);
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.keyboard.press('Control+]');

  // An outside client writing line after line, waiting for each echo so that every line is its
  // own read and write on the server: two events apiece.
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const outside = net.connect({ host, port });
  await new Promise((resolve) => outside.once('connect', resolve));
  const count = () => page.evaluate(() => (window as unknown as { sandboxEvents: number }).sandboxEvents);
  for (let line = 0; line < 4100; line++) {
    const echoed = new Promise((resolve) => outside.once('data', resolve));
    outside.write(`line ${line}\n`);
    await echoed;
  }
  await expect.poll(count, { timeout: 30_000 }).toBeGreaterThanOrEqual(8000);
  // Only the rows on screen are in the DOM, however long the session.
  expect(await page.locator('.seq-diagram *').count()).toBeLessThan(2000);

  // Scrolled to the top, the first connection's lanes and handshake are there.
  await page.locator('.lab-diagram').evaluate((box) => box.scrollTo({ top: 0, left: 0 }));
  await expect(page.locator('.seq-arrow.seq-syn').first()).toBeVisible();
  await expect(page.locator('.seq-header .seq-lane-title').first()).toHaveText('s2 client');
  await expect(page.getByRole('button', { name: 'Jump to latest ↓' })).toBeVisible();
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/live-diagram-top-after-8000.png` });

  // Back to the newest: a line typed now is drawn, on screen.
  await page.getByRole('button', { name: 'Jump to latest ↓' }).click();
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
  await page.keyboard.type('use 1\n');
  await page.keyboard.type('after the flood\n');
  await expect(page.locator('.seq-arrow .seq-label', { hasText: 'after the flood' }).first()).toBeAttached();
  await expect.poll(() => onScreen(page, '.seq-arrow.seq-data')).toBe(true);
  outside.destroy();
  expect(problems).toEqual([]);
});

test('with three connections the newest arrow is on screen', async ({ page }) => {
  const problems = watchConsole(page);
  await openLab(page);
  for (let n = 1; n <= 3; n++) {
    await page.keyboard.type('nc echo\n');
    await expect.poll(() => terminalText(page)).toContain(`connected #${n}`);
    await page.keyboard.type(`line from ${n}\n`);
    await expect(page.locator('.seq-arrow .seq-label', { hasText: `line from ${n}` })).toHaveCount(2);
    await page.keyboard.press('Control+]');
  }
  await expect.poll(() => onScreen(page, '.seq-arrow.seq-data')).toBe(true);
  const newest = page.locator('.seq-arrow .seq-label', { hasText: 'line from 3' }).last();
  await expect(newest).toBeVisible();
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/live-diagram-three.png` });
  expect(problems).toEqual([]);
});

test('the diagram is one tab stop: arrow keys move between its items, Enter opens details, closing them returns focus', async ({ page }) => {
  const problems = watchConsole(page);
  const address = await openLab(page);
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  // Enough lines that the first rows leave the drawn window when the view is at the bottom.
  for (let line = 0; line < 16; line++) {
    await page.keyboard.type(`line ${line}\n`);
    await expect(page.locator('.seq-arrow .seq-label', { hasText: `line ${line}` })).toHaveCount(2);
  }
  const diagram = page.locator('.lab-diagram');
  const tabStops = () => diagram.evaluate((box) => box.querySelectorAll('[tabindex="0"]').length + (box.tabIndex === 0 ? 1 : 0));

  // In with one Tab from the key bar, out with one more.
  await page.locator('.lab-key').last().focus();
  await page.keyboard.press('Tab');
  const landed = await focused(page);
  expect(landed).toMatchObject({ inDiagram: true, tabindex: '0', role: 'button' });
  expect(landed.item).not.toBeNull();
  expect(await tabStops()).toBe(1);
  await page.keyboard.press('Tab');
  expect((await focused(page)).inDiagram).toBe(false);
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).item).toBe(landed.item);

  // Arrow keys walk the items; the one focused holds the only tab stop.
  await page.keyboard.press('Home');
  const first = (await focused(page)).item;
  await page.keyboard.press('ArrowDown');
  const second = (await focused(page)).item;
  expect(second).not.toBe(first);
  await page.keyboard.press('ArrowRight');
  const third = (await focused(page)).item;
  expect([first, second]).not.toContain(third);
  await page.keyboard.press('ArrowLeft');
  expect((await focused(page)).item).toBe(second);
  await page.keyboard.press('ArrowUp');
  expect(await focused(page)).toMatchObject({ item: first, tabindex: '0' });
  expect(await tabStops()).toBe(1);

  // Enter opens the details; "Close details" gives focus back to the same item.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const detail = page.locator('echo-lab .lab-detail');
  await expect(detail).toBeVisible();
  expect(await focused(page)).toMatchObject({ item: second, pressed: 'true' });
  await detail.getByRole('button', { name: 'Close details' }).press('Enter');
  await expect(detail).toBeHidden();
  expect(await focused(page)).toMatchObject({ item: second, inDiagram: true, pressed: 'false' });

  // Scrolled away, the remembered item is not drawn: the box holds the tab stop and hands focus back to it.
  await page.locator('echo-lab .lab-log summary').focus();
  await diagram.evaluate((box) => box.scrollTo({ top: box.scrollHeight }));
  await expect(page.getByRole('button', { name: 'Jump to latest ↓' })).toBeHidden();
  await expect(page.locator(`[data-item="${second}"]`)).toHaveCount(0);
  expect(await tabStops()).toBe(1);
  await page.keyboard.press('Shift+Tab');
  await expect.poll(async () => (await focused(page)).item).toBe(second);
  expect(await onScreen(page, `[data-item="${second}"]`)).toBe(true);
  await page.keyboard.press('End');
  const last = await focused(page);
  expect(last.item).not.toBe(second);
  expect(await onScreen(page, `[data-item="${last.item}"]`)).toBe(true);
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/live-diagram-keyboard.png` });

  // Events from elsewhere keep coming; they do not scroll the focused item away: the view stops following.
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const outside = net.connect({ host, port });
  await new Promise((resolve) => outside.once('connect', resolve));
  for (let line = 0; line < 30; line++) {
    const echoed = new Promise((resolve) => outside.once('data', resolve));
    outside.write(`outside ${line}\n`);
    await echoed;
  }
  await expect(page.locator('.seq-arrow .seq-label', { hasText: 'outside 29' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Jump to latest ↓' })).toBeVisible();
  expect(await focused(page)).toMatchObject({ item: last.item, inDiagram: true });
  outside.destroy();
  expect(problems).toEqual([]);
});
