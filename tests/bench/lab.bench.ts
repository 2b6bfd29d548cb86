/**
 * The live lab under load (issue 8), measured side by side in one run: the echo lab in Debian's
 * Chromium with an outside client writing to the session's echo port, against the same page idle;
 * the cost of one update early and late in a long session; and how long an event takes to reach
 * the browser, against a bare WebSocket round trip. Needs a built site (npm run build) and
 * Chromium at CHROMIUM_PATH (default /usr/bin/chromium); says so and skips otherwise.
 */
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { chromium, type CDPSession } from 'playwright-core';
import WebSocket, { WebSocketServer } from 'ws';
import { startPlayground } from '../../server/app.ts';
import type { ServerMessage } from '../../src/protocol/messages.ts';

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const SECONDS = Number(process.env.BENCH_LAB_SECONDS ?? 10);
const FRAME_MS = 1000 / 60;

console.log('\nthe live lab under load (issue 8)');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync('dist/index.html') || !existsSync(executablePath)) {
  console.log(`  skipped: needs a built site (npm run build) and Chromium at ${executablePath}`);
} else {
  const playground = await startPlayground({ port: 0, host: '127.0.0.1', origins: [], dist: 'dist', capture: false });
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${playground.url}lessons/echo-server/`);
  await page.locator('echo-lab').scrollIntoViewIfNeeded();
  await page.waitForSelector('echo-lab[data-state="open"]');
  await page.evaluate(() => {
    const counters = window as unknown as { sandboxEvents: number; frames: number };
    counters.sandboxEvents = 0;
    counters.frames = 0;
    document.addEventListener('socket-playground:sandbox-events', (event) => {
      counters.sandboxEvents += (event as CustomEvent<{ events: unknown[] }>).detail.events.length;
    });
    const tick = () => {
      counters.frames += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const address = await page.locator('.lab-address').innerText();
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');

  const counters = (): Promise<{ events: number; frames: number }> =>
    page.evaluate(() => {
      const c = window as unknown as { sandboxEvents: number; frames: number };
      return { events: c.sandboxEvents, frames: c.frames };
    });
  const taskSeconds = async (session: CDPSession): Promise<number> => {
    const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
  };

  /** Frames per second, main-thread busy share and ms per event while `load` runs. */
  async function measure(label: string, load: (until: number) => Promise<void>): Promise<{ fps: number; busy: number; perEvent: number }> {
    const before = await counters();
    const busyBefore = await taskSeconds(cdp);
    const started = performance.now();
    await load(started + SECONDS * 1000);
    await sleep(300);
    const elapsed = (performance.now() - started) / 1000;
    const after = await counters();
    const busy = (await taskSeconds(cdp)) - busyBefore;
    const events = after.events - before.events;
    const result = { fps: (after.frames - before.frames) / elapsed, busy: busy / elapsed, perEvent: events >= 10 ? (busy * 1000) / events : 0 };
    console.log(
      `  ${label}: ${fmt(result.fps)} frames/s, main thread busy ${fmt(result.busy * 100)} %, ${fmt(events / elapsed, 0)} events/s` +
        (events >= 10 ? `, ${fmt(result.perEvent, 3)} ms per event` : ''),
    );
    return result;
  }

  const outside = net.connect({ host, port });
  outside.resume();
  await new Promise((resolve) => outside.once('connect', resolve));
  const writesAt = (perSecond: number) => async (until: number) => {
    const batch = Math.max(1, Math.round(perSecond / 100));
    let line = 0;
    while (performance.now() < until) {
      for (let i = 0; i < batch; i++) outside.write(`line ${line++}\n`);
      await sleep(10);
    }
  };

  const idle = await measure('idle', async (until) => {
    await sleep(until - performance.now());
  });
  const at100 = await measure('100 writes/s', writesAt(100));
  const at1000 = await measure('1,000 writes/s', writesAt(1000));
  console.log(
    `  ratio: frames/s at 1,000 writes/s is ${fmt(at1000.fps / idle.fps, 2)}× idle (target ≥ 55 fps: ${at1000.fps >= 55 ? 'reached' : 'not reached'}); at 100 writes/s ${fmt(at100.fps / idle.fps, 2)}×`,
  );

  /** The page's main-thread time for one echoed line (its read and write events), median of 20. */
  async function oneUpdate(): Promise<number> {
    const costs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = await taskSeconds(cdp);
      const echoed = new Promise((resolve) => outside.once('data', resolve));
      outside.write(`probe ${i}\n`);
      await echoed;
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      costs.push(((await taskSeconds(cdp)) - before) * 1000);
    }
    return percentile(costs, 50);
  }
  async function growTo(events: number): Promise<void> {
    while ((await counters()).events < events) {
      for (let i = 0; i < 200; i++) {
        const echoed = new Promise((resolve) => outside.once('data', resolve));
        outside.write(`fill ${i}\n`);
        await echoed;
      }
    }
  }
  const early = (await counters()).events;
  const costEarly = await oneUpdate();
  await growTo(early + 20_000);
  const costLate = await oneUpdate();
  console.log(
    `  one update: ${fmt(costEarly, 2)} ms at ${fmt(early, 0)} events, ${fmt(costLate, 2)} ms at ${fmt((await counters()).events, 0)} events` +
      ` — ratio ${fmt(costLate / costEarly, 2)} (target ≤ 1.2); ${fmt(costLate / FRAME_MS, 2)} of a frame`,
  );
  outside.destroy();
  await browser.close();

  // Write → `read` event on the sandbox WebSocket, against a bare ws round trip, in Node.
  const ws = new WebSocket(`ws://127.0.0.1:${playground.port}/sandbox`, { origin: `http://127.0.0.1:${playground.port}` });
  let echo = '';
  const waiters: ((t: number) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    if (message.type === 'welcome') echo = message.servers[0]?.address ?? '';
    if (message.type === 'events' && message.events.some((event) => event.kind === 'read' && event.role === 'server')) {
      const now = performance.now();
      for (const waiter of waiters.splice(0)) waiter(now);
    }
  });
  while (echo === '') await sleep(10);
  const client = net.connect({ host: echo.slice(0, echo.lastIndexOf(':')), port: Number(echo.slice(echo.lastIndexOf(':') + 1)) });
  client.resume();
  await new Promise((resolve) => client.once('connect', resolve));
  async function latencies(perSecond: number, samples: number): Promise<number[]> {
    const found: number[] = [];
    const gap = 1000 / perSecond;
    for (let i = 0; i < samples; i++) {
      const sent = performance.now();
      const seen = new Promise<number>((resolve) => waiters.push(resolve));
      client.write(`x${i}\n`);
      found.push((await seen) - sent);
      const wait = gap - (performance.now() - sent);
      if (wait > 0) await sleep(wait);
    }
    return found;
  }
  const at10 = await latencies(10, 50);
  const fast = await latencies(1000, 500);
  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  bare.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await new Promise((resolve) => bare.once('listening', resolve));
  const bareClient = new WebSocket(`ws://127.0.0.1:${(bare.address() as AddressInfo).port}`);
  await new Promise((resolve) => bareClient.once('open', resolve));
  const rtt: number[] = [];
  for (let i = 0; i < 200; i++) {
    const sent = performance.now();
    const back = new Promise((resolve) => bareClient.once('message', resolve));
    bareClient.send('x');
    await back;
    rtt.push(performance.now() - sent);
  }
  const bareP50 = percentile(rtt, 50);
  console.log(
    `  write → read event: at 10 writes/s p50 ${fmt(percentile(at10, 50), 2)} ms, p99 ${fmt(percentile(at10, 99), 2)} ms; at 1,000 writes/s p50 ${fmt(percentile(fast, 50), 2)} ms, p99 ${fmt(percentile(fast, 99), 2)} ms; bare ws round trip p50 ${fmt(bareP50, 2)} ms`,
  );
  console.log(
    `  ratio: p50 at 10 writes/s is ${fmt(percentile(at10, 50) / bareP50, 1)}× a bare round trip; p99 at 10 writes/s ${percentile(at10, 99) <= FRAME_MS + 1 ? 'is within' : 'exceeds'} one frame + 1 ms`,
  );
  client.destroy();
  ws.close();
  bareClient.close();
  bare.close();
  await playground.close();
}
