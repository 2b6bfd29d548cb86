/**
 * The figures of the hostile-world issue, each measured side by side in this run: what an attack
 * costs the server now, against a baseline (the same server idle, or the pattern it replaced).
 * Loopback only; every load is bounded. BENCH_SS_SECONDS shortens the 60-second ss run.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { startPlayground } from '../../server/app.ts';
import { captureSupport } from '../../server/capture/tcpdump.ts';
import { HEARTBEAT_INTERVAL_MS, LIMITS, MAX_SESSIONS } from '../../server/limits.ts';
import { leaveTimeWaits } from '../integration/harness.ts';
import { descendantsNamed, running } from '../integration/processes.ts';

const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fds = () => readdirSync('/proc/self/fd').length;
const mib = (bytes: number) => `${fmt(bytes / (1024 * 1024))} MiB`;

const dist = mkdtempSync(join(tmpdir(), 'bench-dist-'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>bench</title>');
mkdirSync(join(dist, '_astro'));
writeFileSync(join(dist, '_astro', 'big.js'), 'x'.repeat(2 * 1024 * 1024));

async function abortDownloads(port: number, count: number): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port, host: '127.0.0.1' });
            socket.write(`GET /_astro/big.js HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
            socket.once('data', () => socket.destroy());
            socket.once('close', () => resolve());
            socket.on('error', () => undefined);
          }),
      ),
    );
  }
  await sleep(500);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

console.log('\nhostile world (issue 14)');

// 1. Aborted downloads: the playground's static files against the createReadStream().pipe() it replaced.
{
  const playground = await startPlayground({ port: 0, host: '127.0.0.1', origins: [], dist, capture: false });
  const piped = createServer((_request, response) => {
    response.writeHead(200);
    createReadStream(join(dist, '_astro', 'big.js')).pipe(response);
  });
  const pipedPort = await listen(piped);
  const before = fds();
  await abortDownloads(pipedPort, 1000);
  const leaked = fds() - before;
  const beforeOurs = fds();
  await abortDownloads(playground.port, 1000);
  const ours = fds() - beforeOurs;
  console.log(`  1,000 aborted 2 MiB downloads: file descriptors left open: playground ${ours}, a read stream piped into the response ${leaked}`);
  console.log(`  ratio: ${ours} / ${leaked} (the piped pattern keeps a descriptor per abort until the process dies)`);
  piped.closeAllConnections();
  piped.close();
  await playground.close();
}

// 2. A browser that stops reading and asks ss 35 times a second, with thousands of TIME-WAIT rows.
{
  const seconds = Number(process.env.BENCH_SS_SECONDS ?? 60);
  const playground = await startPlayground({ port: 0, host: '127.0.0.1', origins: [], dist, capture: false });
  const open = (): Promise<{ ws: WebSocket; echo: string }> =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${playground.port}/sandbox`, { origin: `http://127.0.0.1:${playground.port}` });
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; servers?: { address: string }[] };
        if (message.type === 'welcome') resolve({ ws, echo: message.servers?.[0]?.address ?? '' });
      });
    });
  const silent = await open();
  // Its own echo port's TIME-WAIT connections are what its ss lists.
  await leaveTimeWaits(silent.echo, 5000);
  // The browser stops reading: its TCP receive window fills and the server's queue grows.
  (silent.ws as unknown as { _socket: net.Socket })._socket.pause();
  const heapBefore = heapAfterGc();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let closedAfter: number | undefined;
  const started = performance.now();
  silent.ws.once('close', () => (closedAfter = performance.now() - started));
  for (let tick = 0; tick < seconds * 35; tick++) {
    if (silent.ws.readyState === WebSocket.OPEN) silent.ws.send(JSON.stringify({ type: 'sockets', id: tick }));
    await sleep(1000 / 35);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const heapAfter = heapAfterGc();
  const sessionsLeft = playground.sandbox.sessions().size;
  console.log(
    `  a non-reading browser asking ss at 35/s for ${seconds} s with ${fmt(5000, 0)} TIME-WAIT rows on its port: RSS ${mib(rssBefore)} → peak ${mib(peak)} (+${mib(peak - rssBefore)}), ` +
      `heap after GC ${mib(heapBefore)} → ${mib(heapAfter)}; ${closedAfter === undefined ? 'its session still open' : `its session closed (1008) after ${fmt(closedAfter / 1000)} s`}, ${sessionsLeft} session(s) left`,
  );
  console.log(`  ratio: peak RSS ${fmt(peak / rssBefore, 2)}× and heap after GC ${fmt(heapAfter / heapBefore, 2)}× what they were before (the issue measured +2.9 GiB in 65 s)`);
  silent.ws.terminate();
  await playground.close();
}

// 3. 64 peers vanish without FIN or RST (they stop answering pings): how long until a new learner gets in.
{
  const playground = await startPlayground({ port: 0, host: '127.0.0.1', origins: [], dist, capture: false }, { ...LIMITS });
  const url = `ws://127.0.0.1:${playground.port}/sandbox`;
  const origin = `http://127.0.0.1:${playground.port}`;
  const vanished = await Promise.all(
    Array.from(
      { length: MAX_SESSIONS },
      () =>
        new Promise<WebSocket>((resolve) => {
          const ws = new WebSocket(url, { origin, autoPong: false });
          ws.once('message', () => resolve(ws));
        }),
    ),
  );
  const started = performance.now();
  let refusals = 0;
  for (;;) {
    const admitted = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(url, { origin });
      ws.once('message', () => {
        ws.close();
        resolve(true);
      });
      ws.once('unexpected-response', () => resolve(false));
      ws.once('error', () => resolve(false));
    });
    if (admitted) break;
    refusals += 1;
    await sleep(250);
  }
  const waited = performance.now() - started;
  console.log(`  ${MAX_SESSIONS} vanished peers: a newcomer got a slot after ${fmt(waited / 1000)} s (${refusals} refusals with 503 before), heartbeat every ${HEARTBEAT_INTERVAL_MS / 1000} s`);
  console.log(`  ratio: ${fmt(waited / HEARTBEAT_INTERVAL_MS, 2)} heartbeat intervals (the issue measured up to 15 minutes)`);
  for (const ws of vanished) ws.terminate();
  await playground.close();
}

// 4. The server killed outright with captures running: tcpdumps before and after.
{
  const support = await captureSupport();
  if (!support.ok) {
    console.log(`  tcpdump after SIGKILL: not measured here (${support.reason})`);
  } else {
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--capture', '--dist', dist], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data) => (out += data));
    while (!/:(\d+)\//.test(out)) await sleep(20);
    const port = Number(/:(\d+)\//.exec(out)?.[1]);
    const sessions = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<WebSocket>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/sandbox`, { origin: `http://127.0.0.1:${port}` });
            ws.on('error', () => undefined);
            ws.on('message', (data) => {
              if (String(data).includes('"state":"on"')) resolve(ws);
            });
          }),
      ),
    );
    const before = descendantsNamed('tcpdump', child.pid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await sleep(2000);
    const left = before.filter(running);
    console.log(`  SIGKILL with ${sessions.length} sessions capturing: tcpdump processes ${before.length} before, ${left.length} left 2 s after`);
    console.log(`  ratio: ${left.length} / ${before.length}`);
    for (const ws of sessions) ws.terminate();
  }
}
