/**
 * How much one process holds (issue 13), each figure side by side with a bare baseline in this run:
 * the playground against a bare `ws` server holding the same sessions (a WebSocket, a listener and
 * one echo connection each), and the instrumented echo against a bare `net` echo. Each server runs
 * in its own process (scale-target.ts), so its heap, RSS and CPU are its own. Loopback only; every
 * load is bounded. BENCH_SCALE_SESSIONS and BENCH_STREAM_MIB shorten or lengthen the runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Measure } from './scale-target.ts';

const LEVELS = [1, 100, Number(process.env.BENCH_SCALE_SESSIONS ?? 1000)];
const STREAM_MIB = Number(process.env.BENCH_STREAM_MIB ?? 64);
/** A learner typing a line a second is busier than any real one; the active figure is an upper bound. */
const ACTIVE_SECONDS = 5;
const IDLE_SECONDS = 5;

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (bytes: number) => `${fmt(bytes / 1024)} KiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Target = { port: number; measure: () => Promise<Measure>; stop: () => Promise<void> };

async function startTarget(kind: 'playground' | 'bare-ws' | 'bare-net', sessions = Math.max(...LEVELS)): Promise<Target> {
  const script = fileURLToPath(new URL('./scale-target.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', script, kind, String(sessions)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return {
    port,
    measure: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve(message as Measure));
        child.send({ type: 'measure' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

type Learner = { ws: WebSocket; socket: string; echo: string; next: number };

/** A browser stand-in that opens a session and one echo connection, as a learner's `nc echo` does. */
function learner(port: number): Promise<Learner> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sandbox`, { origin: `http://127.0.0.1:${port}` });
    let echo = '';
    ws.on('error', reject);
    ws.on('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; socket?: string; servers?: { address: string }[] };
      if (message.type === 'welcome') {
        echo = message.servers?.[0]?.address ?? '';
        ws.send(JSON.stringify({ type: 'connect', id: 1, target: 'echo' }));
      }
      if (message.type === 'opened') resolve({ ws, socket: message.socket ?? '', echo, next: 2 });
    });
  });
}

async function openLearners(port: number, count: number, into: Learner[]): Promise<number> {
  const started = performance.now();
  for (let opened = 0; opened < count; opened += 50) {
    into.push(...(await Promise.all(Array.from({ length: Math.min(50, count - opened) }, () => learner(port)))));
  }
  return performance.now() - started;
}

type Level = { sessions: number; heapPerSession: number; rssPerSession: number; openMs: number };

/** Grows one server through the levels, measuring heap and RSS per session at each; then its CPU idle and active at the top level. */
async function hold(kind: 'playground' | 'bare-ws'): Promise<{ levels: Level[]; idleCpu: number; activeCpu: number; learners: number }> {
  const target = await startTarget(kind);
  // One session opened and closed first, so that code compiled and buffers pooled on first use are
  // in the baseline rather than charged to the first session.
  const warmUp = await learner(target.port);
  warmUp.ws.close();
  await new Promise((resolve) => warmUp.ws.once('close', resolve));
  await sleep(200);
  const base = await target.measure();
  const learners: Learner[] = [];
  const levels: Level[] = [];
  for (const sessions of LEVELS) {
    const openMs = await openLearners(target.port, sessions - learners.length, learners);
    await sleep(200);
    const now = await target.measure();
    levels.push({ sessions, heapPerSession: (now.heapUsed - base.heapUsed) / sessions, rssPerSession: (now.rss - base.rss) / sessions, openMs });
  }
  const idleStart = await target.measure();
  await sleep(IDLE_SECONDS * 1000);
  const idleEnd = await target.measure();
  for (let second = 0; second < ACTIVE_SECONDS; second++) {
    const tick = performance.now();
    for (const each of learners) each.ws.send(JSON.stringify({ type: 'send', id: each.next++, socket: each.socket, data: 'hello, echo\n' }));
    await sleep(Math.max(0, 1000 - (performance.now() - tick)));
  }
  const activeEnd = await target.measure();
  for (const each of learners) each.ws.terminate();
  await target.stop();
  return {
    levels,
    // Fractions of one core.
    idleCpu: (idleEnd.cpuMicros - idleStart.cpuMicros) / (IDLE_SECONDS * 1e6),
    activeCpu: (activeEnd.cpuMicros - idleEnd.cpuMicros) / (ACTIVE_SECONDS * 1e6),
    learners: learners.length,
  };
}

/** Streams `bytes` through an echo server from a client outside the browser, reading the echo back. */
async function stream(port: number, bytes: number): Promise<number> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  const started = performance.now();
  let echoed = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      echoed += chunk.length;
      if (echoed >= bytes) resolve();
    });
    socket.on('close', () => (echoed >= bytes ? resolve() : reject(new Error(`closed after ${echoed} bytes`))));
  });
  const block = Buffer.alloc(64 * 1024, 'e');
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await done;
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

console.log(`\nscale (issue 13): one process, against bare baselines; sessions at ${LEVELS.join(', ')}, each with one echo connection`);
{
  const ours = await hold('playground');
  const bare = await hold('bare-ws');
  for (const [index, level] of ours.levels.entries()) {
    const base = bare.levels[index] as Level;
    console.log(
      `  ${fmt(level.sessions, 0)} sessions: heap ${kib(level.heapPerSession)} per session (bare ws ${kib(base.heapPerSession)}), ` +
        `RSS ${kib(level.rssPerSession)} (bare ${kib(base.rssPerSession)}), opened in ${fmt(level.openMs, 0)} ms (bare ${fmt(base.openMs, 0)} ms)`,
    );
    // RSS grows by whole pages, so with few sessions the bare server's may not move at all.
    const rss = base.rssPerSession > 0 ? `${fmt(level.rssPerSession / base.rssPerSession, 2)}×` : 'not measurable';
    console.log(`    ratio: heap ${fmt(level.heapPerSession / base.heapPerSession, 2)}×, RSS ${rss}, time to open ${fmt(level.openMs / base.openMs, 2)}×`);
  }
  console.log(
    `  ${fmt(ours.learners, 0)} sessions idle (heartbeat pings): ${fmt(ours.idleCpu * 100)} % of a core (bare ws ${fmt(bare.idleCpu * 100)} %)`,
  );
  console.log(
    `  ${fmt(ours.learners, 0)} sessions each echoing a line a second: ${fmt(ours.activeCpu * 100)} % of a core (bare ws ${fmt(bare.activeCpu * 100)} %); ` +
      `ratio ${fmt(ours.activeCpu / bare.activeCpu, 2)}×`,
  );
  const perCore = 0.5 / (ours.activeCpu / ours.learners);
  console.log(`  at half a core busy, one core holds about ${fmt(perCore, 0)} such learners (every one typing a line a second)`);
}

/** Best of ROUNDS, the two servers taking turns, so that a busy moment of the machine hurts neither more. */
const ROUNDS = 3;

console.log(`\ninstrumented echo against a bare net echo: ${STREAM_MIB} MiB streamed from outside the browser, echoed back, best of ${ROUNDS}`);
{
  const bytes = STREAM_MIB * 1024 * 1024;
  const playground = await startTarget('playground', 1);
  const browser = await learner(playground.port);
  const echoPort = Number(browser.echo.split(':')[1]);
  const bare = await startTarget('bare-net');
  const timed = async (target: Target, port: number) => {
    const start = await target.measure();
    const ms = await stream(port, bytes);
    const end = await target.measure();
    return { ms, cpuMicros: end.cpuMicros - start.cpuMicros };
  };
  let ours = { ms: Infinity, cpuMicros: Infinity };
  let theirs = { ms: Infinity, cpuMicros: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    const a = await timed(playground, echoPort);
    const b = await timed(bare, bare.port);
    if (a.ms < ours.ms) ours = a;
    if (b.ms < theirs.ms) theirs = b;
  }
  browser.ws.terminate();
  await playground.stop();
  await bare.stop();

  const gib = bytes / 1024 ** 3;
  const ourCpu = ours.cpuMicros / 1e6 / gib;
  const bareCpu = theirs.cpuMicros / 1e6 / gib;
  const rate = (ms: number) => `${fmt(bytes / (1024 * 1024) / (ms / 1000))} MiB/s`;
  console.log(`  playground ${rate(ours.ms)}, ${fmt(ourCpu, 2)} CPU s per GiB; bare net ${rate(theirs.ms)}, ${fmt(bareCpu, 2)} CPU s per GiB`);
  console.log(`  ratio: throughput ${fmt(theirs.ms / ours.ms, 2)}×, CPU per GiB ${fmt(ourCpu / bareCpu, 2)}× (the issue measured 0.80× and 1.6×)`);
}
