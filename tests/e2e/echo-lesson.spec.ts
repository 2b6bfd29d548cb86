import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { MAX_SESSIONS } from '../../server/limits.ts';
import { SHOTS, watchConsole } from './support.ts';
import { courseLessons } from './lessons.ts';

/** What the terminal shows, read from xterm's accessible buffer. */
async function terminalText(page: Page): Promise<string> {
  return page.locator('.lab-terminal .xterm-rows').innerText();
}

async function openLab(page: Page, origin = '') {
  await page.goto(`${origin}/lessons/echo-server/`);
  await page.locator('echo-lab').scrollIntoViewIfNeeded();
  await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open');
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
}

/**
 * Pages without widgets load only the navigation scripts the README lists (theme switch, progress,
 * copy buttons: a few KB), never a widget's code (xterm, d3, zod, the steppers).
 */
async function expectOnlyNavigationScripts(page: Page): Promise<void> {
  const scripts = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === 'script')
      .map((entry) => ({ name: entry.name, bytes: (entry as PerformanceResourceTiming).decodedBodySize })),
  );
  // The theme switch loads on every page, so the list is never empty: the check below sees real entries.
  expect(scripts.length).toBeGreaterThan(0);
  expect(
    scripts.map((script) => script.name).filter((name) => /EchoLab|Stepper|xterm|schemas|sequence-diagram|d3/i.test(name)),
  ).toEqual([]);
  expect(scripts.reduce((sum, script) => sum + script.bytes, 0)).toBeLessThan(8 * 1024);
}

test('the home page lists the lessons in order and links to them', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('See how TCP sockets work');
  const titles = await page.locator('.lesson-title').allInnerTexts();
  // Every lesson in content/lessons, in order (the course grows; the list must follow it).
  expect(titles).toEqual(courseLessons().map((lesson) => lesson.title));
  expect(titles.slice(0, 2)).toEqual(['What a socket is', "An echo server's life"]);
  await expectOnlyNavigationScripts(page);
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true });
  await page.getByRole('link', { name: /What a socket is/ }).click();
  await expect(page).toHaveURL(/\/lessons\/what-is-a-socket\/$/);
  await expect(page.getByRole('link', { name: /Next.*An echo server's life/ })).toBeVisible();
  await expectOnlyNavigationScripts(page);
  await page.screenshot({ path: `${SHOTS}/lesson-1.png`, fullPage: true });
  expect(problems).toEqual([]);
});

test('nc echo in the terminal echoes a line and draws SYN, SYN-ACK, ACK', async ({ page }) => {
  const problems = watchConsole(page);
  await openLab(page);
  const address = await page.locator('.lab-address').innerText();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);

  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.keyboard.type('hello, sockets\n');
  await expect.poll(async () => (await terminalText(page)).match(/hello, sockets/g)?.length ?? 0).toBe(2);

  const labels = page.locator('.seq-diagram .seq-arrow .seq-label');
  await expect(labels.filter({ hasText: /^SYN ⟲$/ })).toHaveCount(1);
  await expect(labels.filter({ hasText: /^SYN-ACK ⟲$/ })).toHaveCount(1);
  await expect(labels.filter({ hasText: /^ACK ⟲$/ })).toHaveCount(1);
  await expect(labels.filter({ hasText: '15 B "hello, sockets\\n"' })).toHaveCount(2);
  await expect(page.locator('.seq-header .seq-lane-title')).toHaveText(['s2 client', 's3 echo']);

  // Clicking an arrow shows the raw events it stands for, with their µs times.
  await page.locator('.seq-arrow.seq-syn').click();
  await expect(page.locator('.lab-detail')).toBeVisible();
  await expect(page.locator('.lab-detail')).toContainText('reconstructed');
  await expect(page.locator('.lab-detail pre')).toContainText('"kind": "accept"');
  await expect(page.locator('.lab-detail')).toContainText(/connect at [\d\u2009]+ µs/);

  // The text log says the same thing as the picture.
  await page.locator('.lab-log summary').click();
  await expect(page.locator('.lab-log-list')).toContainText('connect() to ' + address);
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/echo-lab.png` });
  expect(problems).toEqual([]);
});

test('Ctrl-D half-closes: FIN both ways and the close show up; ss lists sockets', async ({ page }) => {
  const problems = watchConsole(page);
  await openLab(page);
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.keyboard.press('Control+d');
  await expect.poll(() => terminalText(page)).toContain('[#1 closed]');
  await expect(page.locator('.seq-arrow.seq-fin')).toHaveCount(2);
  await page.keyboard.type('ss\n');
  await expect.poll(() => terminalText(page)).toContain('LISTEN');
  await expect.poll(() => terminalText(page)).toContain('TIME-WAIT');
  await page.keyboard.type('nc 10.0.0.1 22\n');
  await expect.poll(() => terminalText(page)).toContain('refused "10.0.0.1 22"');
  expect(problems).toEqual([]);
});

test('a long paste is paced, not refused: every line comes back', async ({ page }) => {
  const problems = watchConsole(page);
  await openLab(page);
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  // More lines than the server's burst allowance (MESSAGE_BURST), sent as fast as the page may.
  const lines = Array.from({ length: 120 }, (_, i) => `line-${String(i).padStart(3, '0')}`);
  // A real paste: xterm reads it from the clipboard event, newlines and all.
  await page.locator('.lab-terminal .xterm-helper-textarea').evaluate(
    (textarea, text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    `${lines.join('\n')}\n`,
  );
  const log = page.locator('.lab-log-list');
  // TCP is a byte stream: two echoes may arrive in one recv(), so count bytes, not reads.
  const echoedBytes = async () =>
    [...((await log.textContent()) ?? '').matchAll(/s2 client: recv\(\) got (\d+) B/g)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  await expect.poll(echoedBytes, { timeout: 15_000 }).toBe(lines.join('\n').length + 1);
  await expect(page.locator('.lab-terminal .xterm-rows')).not.toContainText('too many messages');
  expect(problems).toEqual([]);
});

test('works on a phone-width window in dark mode, keyboard only', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto('/');
  // Keyboard only: Tab to the skip link, then on to the first lesson.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.screenshot({ path: `${SHOTS}/home-dark-narrow.png`, fullPage: true });
  await page.goto('/lessons/echo-server/');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await openLab(page);
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.keyboard.type('hi\n');
  await expect(page.locator('.seq-arrow.seq-data')).toHaveCount(2);
  // Tab leaves the terminal (no keyboard trap), passes the on-screen keys and reaches the diagram,
  // one tab stop; arrow keys walk it and Enter opens an arrow.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /^Ctrl-C/ })).toBeFocused();
  for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
  await expect(page.locator('.lab-diagram [data-item][tabindex="0"]')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.locator('.seq-mark').first()).toBeFocused();
  for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement?.classList.contains('seq-arrow'))); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(page.locator('.seq-arrow.seq-syn')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.lab-detail')).toBeVisible();
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/echo-lab-dark-narrow.png` });
  expect(problems).toEqual([]);
  await context.close();
});

test('a page opened while the playground is full says so, and gets in once a slot is free', async ({ page, baseURL }) => {
  const problems = watchConsole(page);
  const origin = new URL(baseURL ?? '').origin;
  // Every slot taken by other learners (the process's default cap, MAX_SESSIONS).
  const others: WebSocket[] = [];
  for (;;) {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/sandbox`, { origin });
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('message', () => resolve(true));
      ws.once('unexpected-response', () => resolve(false));
      ws.once('error', () => resolve(false));
    });
    if (!opened) break;
    others.push(ws);
  }
  expect(others).toHaveLength(MAX_SESSIONS);
  const response = await page.goto('/lessons/echo-server/');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.locator('echo-lab').scrollIntoViewIfNeeded();
  await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'closed');
  await expect(page.locator('.lab-status')).toContainText('full');
  await expect(page.locator('.lab-terminal .xterm-rows')).toContainText('full');
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/echo-lab-full.png` });
  for (const ws of others) ws.close();
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
  await page.keyboard.type('reconnect\n');
  await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open');
  // The browser logs the refused handshake itself; nothing else may go wrong.
  expect(problems.filter((problem) => !/WebSocket connection to .* failed/.test(problem))).toEqual([]);
});

/** A playground of the test's own on a free port, which the test can stop and start again. */
class OwnServer {
  readonly port: number;
  #process: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnServer> {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const address = probe.address();
    probe.close();
    const server = new OwnServer(typeof address === 'object' && address !== null ? address.port : 0);
    await server.up();
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['server/main.ts', '--port', String(this.port), '--dist', process.env.E2E_DIST ?? 'dist'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.#process = child;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await expect.poll(() => out, { timeout: 15_000 }).toContain('running at');
  }

  /** SIGTERM, as a restart or a deploy stops it: sessions are closed with 1001. */
  async down(): Promise<void> {
    const child = this.#process;
    if (child === undefined || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

test('the server restarts: the lab says so in words, comes back by itself and by its button, and routes to the new sandbox', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const server = await OwnServer.start();
  try {
    const problems = watchConsole(page);
    await openLab(page, server.origin);
    const status = page.locator('.lab-status');
    const reconnect = page.getByRole('button', { name: 'Reconnect' });
    await expect(reconnect).toBeHidden();
    const firstAddress = await page.locator('.lab-address').innerText();
    await page.keyboard.type('nc echo\n');
    await expect.poll(() => terminalText(page)).toContain('connected #1 (s2)');
    await page.keyboard.type('before restart\n');
    await expect.poll(async () => (await terminalText(page)).match(/before restart/g)?.length ?? 0).toBe(2);

    await server.down();
    await expect(status).toContainText('The server stopped or restarted, and your sandbox closed with it.');
    await expect(status).not.toContainText('1001');
    await expect(status).toContainText(/Trying again in \d+ s\./);
    await expect(reconnect).toBeVisible();
    await expect(page.locator('.lab-address')).toBeHidden();
    await expect.poll(() => terminalText(page)).toContain('The lab tries again by itself');

    // Back by itself: the retries find the server once it is up again.
    await server.up();
    await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open', { timeout: 20_000 });
    await expect(reconnect).toBeHidden();
    await expect(status).toContainText('Sandbox ready');
    expect(await page.locator('.lab-address').innerText()).not.toBe(firstAddress);

    // Down again, long enough for the wait to grow (1, 2, then 4 s less jitter); a try that fails
    // meanwhile leaves the button, and the keyboard's focus on it, where they are.
    await server.down();
    await expect(status).toContainText(/Trying again in [34] s\./, { timeout: 15_000 });
    await reconnect.focus();
    await expect(status).toContainText(/Trying again in [678] s\./, { timeout: 15_000 });
    await expect(reconnect).toBeFocused();
    // Then the button brings it back at once, long before the next try.
    await server.up();
    await page.keyboard.press('Enter');
    await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open', { timeout: 1500 });
    // The button is gone with the closed sandbox; the keyboard is back in the terminal.
    await expect(page.locator('.lab-terminal .xterm-helper-textarea')).toBeFocused();

    // The new sandbox numbers its sockets from s2 again; typed lines go to its connection only.
    await page.keyboard.type('nc echo\n');
    await expect.poll(() => terminalText(page)).toContain('connected #2 (s2)');
    await page.keyboard.type('after restart\n');
    await expect.poll(async () => (await terminalText(page)).match(/after restart/g)?.length ?? 0).toBe(2);
    const text = await terminalText(page);
    expect(text).not.toContain('#1 received');
    expect(text).toContain('[#2 echo]>');
    await expect(page.locator('.lab-log-list')).toContainText('s2 client: recv() got 14 B "after restart\\n"');
    await expect(page.locator('.lab-log-list')).not.toContainText('before restart');
    await page.keyboard.press('Control+]');
    await page.keyboard.type('conns\n');
    await expect.poll(() => terminalText(page)).toMatch(/#1 +s2 .* closed/);
    await expect.poll(() => terminalText(page)).toMatch(/#2 +s2 .* open/);
    await page.locator('echo-lab').screenshot({ path: `${SHOTS}/echo-lab-reconnected.png` });
    // While the server is down the browser logs each refused WebSocket and each refused GET /sandbox
    // (the page asks why it could not get in); nothing else may go wrong.
    expect(problems.filter((problem) => !/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(problem))).toEqual([]);
  } finally {
    await server.down();
  }
});

test('on a phone, the key bar sends Ctrl-D (a FIN) and ↑ without taking focus from the terminal', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    hasTouch: true,
    isMobile: true,
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await openLab(page);
  const textarea = page.locator('.lab-terminal .xterm-helper-textarea');
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.getByRole('button', { name: /^Ctrl-D/ }).tap();
  await expect(textarea).toBeFocused();
  await expect.poll(() => terminalText(page)).toContain('shutdown(SHUT_WR)');
  await expect.poll(() => terminalText(page)).toContain('[#1 closed]');
  await expect(page.locator('.seq-arrow.seq-fin')).toHaveCount(2);
  await page.getByRole('button', { name: /^Up arrow/ }).tap();
  await expect(textarea).toBeFocused();
  await expect.poll(() => terminalText(page)).toMatch(/sandbox\$ nc echo\s*$/);

  // The shell's own sentences wrap at spaces, never inside a word; ss keeps one row per socket.
  await page.keyboard.press('Control+u');
  await page.keyboard.type('nc example.com 80\n');
  await expect
    .poll(async () => (await terminalText(page)).split('\n').join(' ').replace(/\s+/g, ' '))
    .toContain('the sandbox connects only to its own servers: try "nc echo" ("servers" lists them)');
  await page.keyboard.type('ss\n');
  await expect.poll(() => terminalText(page)).toContain('TIME-WAIT');
  const rows = (await terminalText(page)).split('\n');
  expect(rows.filter((row) => /^(s\d+|-) +\S/.test(row) && /LISTEN|TIME-WAIT/.test(row))).toHaveLength(2);

  // The last column is not under the scrollbar.
  const [screenRight, scrollbarLeft] = await page.evaluate(() => [
    document.querySelector('.lab-terminal .xterm-screen')?.getBoundingClientRect().right ?? Infinity,
    document.querySelector('.lab-terminal .xterm-scrollable-element > .scrollbar.vertical')?.getBoundingClientRect().left ?? 0,
  ]);
  expect(screenRight).toBeLessThanOrEqual(scrollbarLeft + 0.5);
  await page.locator('echo-lab').screenshot({ path: `${SHOTS}/echo-lab-phone-keys.png` });
  expect(problems).toEqual([]);
  await context.close();
});

test('the copied nc line, pasted into the terminal, connects to the echo server', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL ?? '').origin });
  const problems = watchConsole(page);
  await openLab(page);
  const address = await page.locator('.lab-address').innerText();
  const copy = page.getByRole('button', { name: /Copy nc command/ });
  await copy.click();
  const command = `nc ${address.replace(':', ' ')}`;
  await expect(page.locator('.lab-status button').first()).toHaveText(`Copied: ${command}`);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(command);
  await page.locator('.lab-terminal .xterm-helper-textarea').evaluate((textarea, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, `${copied}\n`);
  await expect.poll(() => terminalText(page)).toContain(`connecting to echo (${address})`);
  await expect.poll(() => terminalText(page)).toContain('connected #1');
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
  await page.keyboard.type('pasted\n');
  await expect.poll(async () => (await terminalText(page)).match(/pasted/g)?.length ?? 0).toBe(2);
  await expect(page.locator('.lab-log summary')).toHaveText(/^Event log \(\d+ events\)$/);
  expect(problems).toEqual([]);
});
