/**
 * The server side of scale.bench.ts, in its own process so that its heap, RSS and CPU are the
 * server's alone: `node --expose-gc tests/bench/scale-target.ts playground|bare-ws|bare-net`.
 * It sends its port over IPC, then answers each "measure" with its figures after a full GC.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { startPlayground } from '../../server/app.ts';
import { LIMITS } from '../../server/limits.ts';

export type Measure = { heapUsed: number; rss: number; cpuMicros: number };

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const kind = process.argv[2];

async function listenPort(server: net.Server | import('node:http').Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

let port: number;
if (kind === 'playground') {
  const dist = mkdtempSync(join(tmpdir(), 'scale-dist-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>scale</title>');
  const sessions = Number(process.argv[3] ?? 1000);
  const playground = await startPlayground(
    { port: 0, host: '127.0.0.1', origins: [], dist, capture: false },
    // The cap is what is measured, so it is raised; outside bytes are the echo stream's.
    { ...LIMITS, maxSessions: sessions, maxHttpConnections: sessions + 64, maxOutsideBytes: Number.MAX_SAFE_INTEGER },
  );
  port = playground.port;
} else if (kind === 'bare-ws') {
  // What a sandbox is at least: a WebSocket, a listener of its own, and one echo connection to it.
  const { createServer } = await import('node:http');
  const http = createServer();
  const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const owned: net.Socket[] = [];
    let client: net.Socket | undefined;
    const listener = net.createServer((socket) => {
      owned.push(socket);
      socket.pipe(socket);
    });
    listener.listen(0, '127.0.0.1', () => ws.send(JSON.stringify({ type: 'welcome' })));
    // The first message opens the echo connection; each later one is a line sent through it.
    ws.on('message', (data) => {
      if (client !== undefined) {
        const message = JSON.parse(String(data)) as { id: number; data: string };
        client.write(message.data);
        ws.send(JSON.stringify({ type: 'ok', id: message.id }));
        return;
      }
      client = net.connect({ port: (listener.address() as net.AddressInfo).port, host: '127.0.0.1' }, () =>
        ws.send(JSON.stringify({ type: 'opened', socket: 's2' })),
      );
      owned.push(client);
      client.on('data', (chunk) => ws.send(JSON.stringify({ type: 'received', data: chunk.toString() })));
    });
    ws.on('close', () => {
      for (const socket of owned) socket.destroy();
      listener.close();
    });
  });
  port = await listenPort(http);
} else if (kind === 'bare-net') {
  port = await listenPort(net.createServer((socket) => socket.pipe(socket)));
} else {
  throw new Error(`unknown target ${kind}`);
}

process.on('message', (message: { type: string }) => {
  if (message.type !== 'measure') return;
  gc();
  const cpu = process.cpuUsage();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ heapUsed, rss, cpuMicros: cpu.user + cpu.system } satisfies Measure);
});
process.send?.({ port });
