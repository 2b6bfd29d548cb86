import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Playground } from '../../server/app.ts';
import { CLOSE, MAX_REQUESTS_PER_SOCKET, MAX_SOCKET_ROWS } from '../../server/limits.ts';
import type { Limits } from '../../server/limits.ts';
import { leaveTimeWaits, openFds, startTestPlayground, TestClient, until } from './harness.ts';

/**
 * The attacks of issue 14, each against a real server on loopback with real sockets. Every load is
 * bounded in count and time; timeouts that a learner would want long are shortened through the
 * limits a test passes, never by waiting them out.
 */

const started: Playground[] = [];
async function playgroundWith(limits: Partial<Limits> = {}, dist?: string): Promise<Playground> {
  const playground = await startTestPlayground({ limits, dist });
  started.push(playground);
  return playground;
}
afterEach(async () => {
  for (const playground of started.splice(0)) await playground.close();
});

/** Sends raw bytes and collects the whole answer until the server closes or `ms` pass. */
function rawExchange(port: number, text: string, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, ms);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const upgradeRequest = (path: string, port: number, host = `127.0.0.1:${port}`) =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

async function stillServes(playground: Playground): Promise<void> {
  expect((await get(playground.port, '/')).status).toBe(200);
  const client = await TestClient.open(playground);
  await client.close();
}

describe('crashes: one request must not take the process down', () => {
  it('answers upgrade targets that URL parsing throws on, and goes on serving', async () => {
    const playground = await playgroundWith();
    for (const target of ['//%5B', '//a:99999', '//[', '//', 'http://[::1', '*']) {
      const answer = await rawExchange(playground.port, upgradeRequest(target, playground.port));
      expect(answer).toMatch(/^HTTP\/1\.1 (400|404)/);
    }
    await stillServes(playground);
  });

  it('answers a message whose type is nested thousands deep, and the session goes on', async () => {
    const playground = await playgroundWith();
    const client = await TestClient.open(playground);
    const nested = `{"type": ${'['.repeat(4400)}${']'.repeat(4400)}, "id": 5}`;
    client.sendRaw(nested);
    const error = await client.next('error', (message) => message.id === 5);
    expect(error.code).toBe('bad-message');
    expect(await client.request({ type: 'sockets' })).toMatchObject({ type: 'sockets' });
    await client.close();
  });
});

describe('leaks and amplifiers', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'playground-big-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>test</title>');
    mkdirSync(join(dist, '_astro'));
    writeFileSync(join(dist, '_astro', 'big.js'), 'x'.repeat(2 * 1024 * 1024));
  });

  it('leaves no file descriptor behind after 1,000 aborted downloads', async () => {
    const playground = await playgroundWith({}, dist);
    await get(playground.port, '/_astro/big.js');
    const baseline = openFds();
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<void>((resolve) => {
              const socket = net.connect({ port: playground.port, host: '127.0.0.1' });
              socket.write(`GET /_astro/big.js HTTP/1.1\r\nHost: 127.0.0.1:${playground.port}\r\n\r\n`);
              socket.once('data', () => socket.destroy());
              socket.once('close', () => resolve());
              socket.on('error', () => undefined);
            }),
        ),
      );
    }
    await until(() => openFds() <= baseline + 2, 'descriptors back to the baseline');
    expect(openFds()).toBeLessThanOrEqual(baseline + 2);
  });

  it('bounds a pipelining client that never reads', async () => {
    const playground = await playgroundWith({}, dist);
    const baseline = openFds();
    const rss = process.memoryUsage().rss;
    const socket = net.connect({ port: playground.port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`GET /_astro/big.js HTTP/1.1\r\nHost: 127.0.0.1:${playground.port}\r\n\r\n`.repeat(5000));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(openFds()).toBeLessThanOrEqual(baseline + 4);
    // The same 2 MiB body is shared by every queued response; at most MAX_REQUESTS_PER_SOCKET are queued.
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 * 1024 * 1024);
    socket.resume();
    let responses = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (responses += chunk.split('HTTP/1.1 200').length - 1));
    await closed;
    expect(responses).toBeLessThanOrEqual(MAX_REQUESTS_PER_SOCKET);
  });

  it('reads the kernel table once for many sessions asking ss at the same moment', async () => {
    const playground = await playgroundWith({ kernelTableTtlMs: 10_000 });
    const clients = await Promise.all(Array.from({ length: 32 }, () => TestClient.open(playground)));
    const before = playground.sandbox.kernelTable.reads;
    const replies = await Promise.all(clients.flatMap((client) => Array.from({ length: 5 }, () => client.request({ type: 'sockets' }))));
    expect(replies.every((reply) => reply.type === 'sockets')).toBe(true);
    expect(playground.sandbox.kernelTable.reads - before).toBeLessThanOrEqual(1);
    await Promise.all(clients.map((client) => client.close()));
  });

  it(`caps ss at ${MAX_SOCKET_ROWS} rows and says how many more there are`, async () => {
    const playground = await playgroundWith();
    const client = await TestClient.open(playground);
    await leaveTimeWaits(client.echoAddress, 200, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const listing = await client.request({ type: 'sockets' });
    if (listing.type !== 'sockets') throw new Error(`no listing: ${JSON.stringify(listing)}`);
    expect(listing.sockets.length).toBe(MAX_SOCKET_ROWS);
    expect(listing.more ?? 0).toBeGreaterThan(100);
    await client.close();
  });
});

describe('denial of service between learners', () => {
  async function echoes(client: TestClient, text: string): Promise<void> {
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error(`terminal could not connect: ${JSON.stringify(opened)}`);
    expect(await client.request({ type: 'send', socket: opened.socket, data: text })).toMatchObject({ type: 'ok' });
    await client.next('received', (message) => message.socket === opened.socket && message.data.includes(text));
  }

  function outsideConnection(address: string): Promise<net.Socket> {
    const [host, port] = [address.split(':')[0] ?? '', Number(address.split(':')[1])];
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(socket));
      socket.on('error', reject);
      socket.resume();
    });
  }

  it('gives the terminal its own budget: an outside client that spends its bytes is closed, the echo goes on', async () => {
    const playground = await playgroundWith({ maxOutsideBytes: 64 * 1024 });
    const client = await TestClient.open(playground);
    const outside = await outsideConnection(client.echoAddress);
    const closed = new Promise<void>((resolve) => outside.once('close', () => resolve()));
    outside.write(Buffer.alloc(256 * 1024, 'a'));
    await closed;
    expect(await client.next('notice', (message) => message.code === 'outside-bytes')).toBeDefined();
    await echoes(client, 'still mine');
    await client.close();
  });

  it('holds only so many outside connections, and never the terminal’s slots', async () => {
    const playground = await playgroundWith({ maxOutsideConnections: 4 });
    const client = await TestClient.open(playground);
    const outside = await Promise.all(Array.from({ length: 32 }, () => outsideConnection(client.echoAddress)));
    await until(() => outside.filter((socket) => !socket.destroyed && !socket.readableEnded).length <= 4, 'the extra outside connections to be closed');
    expect(await client.next('notice', (message) => message.code === 'outside-refused')).toBeDefined();
    await echoes(client, 'my own line');
    for (const socket of outside) socket.destroy();
    await client.close();
  });

  it('closes an idle outside connection and says so', async () => {
    const playground = await playgroundWith({ outsideIdleMs: 200 });
    const client = await TestClient.open(playground);
    const outside = await outsideConnection(client.echoAddress);
    await new Promise<void>((resolve) => outside.once('close', () => resolve()));
    const notice = await client.next('notice', (message) => message.code === 'outside-idle');
    expect(client.events).toContainEqual(expect.objectContaining({ kind: 'error', socket: notice.socket, error: expect.objectContaining({ code: 'SANDBOX_IDLE' }) }));
    await client.close();
  });

  it('frees the slots of peers that vanished, so the next learner gets in', async () => {
    const playground = await playgroundWith({ maxSessions: 8, heartbeatIntervalMs: 100 });
    const vanished = Array.from({ length: 8 }, () => new TestClient(playground, undefined, { autoPong: false }));
    await Promise.all(vanished.map((client) => client.next('welcome')));
    expect(playground.sandbox.readiness()).toEqual({ ready: false, reason: 'full' });
    await until(() => playground.sandbox.sessions().size === 0, 'the silent sessions to be dropped');
    const newcomer = await TestClient.open(playground);
    expect(newcomer.closed).toBeUndefined();
    await newcomer.close();
    for (const client of vanished) client.ws.terminate();
  });

  it('when full, gives the slot of the session quiet for longest to a newcomer', async () => {
    const playground = await playgroundWith({ maxSessions: 2, reclaimIdleMs: 100 });
    const quiet = await TestClient.open(playground);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const busy = await TestClient.open(playground);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await busy.request({ type: 'sockets' });
    const newcomer = await TestClient.open(playground);
    await until(() => quiet.closed !== undefined, 'the quiet session to be closed');
    expect(quiet.closed?.code).toBe(CLOSE.reclaimed);
    expect(busy.closed).toBeUndefined();
    await Promise.all([busy.close(), newcomer.close()]);
  });

  it('closes a request whose headers never finish, and caps connections', async () => {
    const playground = await playgroundWith({ headersTimeoutMs: 300, maxHttpConnections: 20 });
    const halfSent = net.connect({ port: playground.port, host: '127.0.0.1' });
    halfSent.on('error', () => undefined);
    halfSent.write('GET / HTTP/1.1\r\nHost: 127.0.0');
    await new Promise<void>((resolve) => halfSent.once('close', () => resolve()));
    const idle = Array.from({ length: 30 }, () => {
      const socket = net.connect({ port: playground.port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      return socket;
    });
    await until(() => idle.filter((socket) => socket.destroyed || socket.readableEnded).length >= 10, 'connections over the cap to be closed');
    for (const socket of idle) socket.destroy();
  });
});

describe('idleness', () => {
  it('keeps a session whose page says it is present, and closes it once the page falls silent', async () => {
    const playground = await playgroundWith({ idleTimeoutMs: 300 });
    const client = await TestClient.open(playground);
    for (let i = 0; i < 8; i++) {
      client.sendRaw(JSON.stringify({ type: 'presence' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(client.closed).toBeUndefined();
    expect(client.messages.filter((message) => message.type === 'error')).toEqual([]);
    await until(() => client.closed !== undefined, 'the idle session to close');
    expect(client.closed?.code).toBe(CLOSE.idle);
  });
});

describe('hardening', () => {
  it('sends a content security policy and cross-origin isolation headers', async () => {
    const playground = await playgroundWith();
    const { headers } = await get(playground.port, '/', { Host: `127.0.0.1:${playground.port}` });
    expect(String(headers['content-security-policy'])).toMatch(/default-src 'self'/);
    // Our own files, and inline only the theme script, by its hash: never 'unsafe-inline'.
    expect(String(headers['content-security-policy'])).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/]+=*')+( 'wasm-unsafe-eval')?(;|$)/);
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('answers only to its own names, so DNS rebinding cannot read it', async () => {
    const playground = await playgroundWith();
    expect((await get(playground.port, '/', { Host: `attacker.example:${playground.port}` })).status).toBe(421);
    expect((await get(playground.port, '/', { Host: `localhost:${playground.port}` })).status).toBe(200);
    const answer = await rawExchange(playground.port, upgradeRequest('/sandbox', playground.port, `attacker.example:${playground.port}`));
    expect(answer).toMatch(/^HTTP\/1\.1 421/);
  });

  it('serves nothing through a symlink that leaves the site', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'playground-links-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>test</title>');
    const secret = mkdtempSync(join(tmpdir(), 'playground-secret-'));
    writeFileSync(join(secret, 'key.txt'), 'secret');
    symlinkSync(join(secret, 'key.txt'), join(dist, 'key.txt'));
    symlinkSync(secret, join(dist, 'linked'));
    const playground = await playgroundWith({}, dist);
    for (const path of ['/key.txt', '/linked/key.txt']) {
      const response = await get(playground.port, path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('secret');
    }
  });

  it('answers a conditional request with 304', async () => {
    const playground = await playgroundWith();
    const first = await get(playground.port, '/');
    expect(first.headers.etag).toBeDefined();
    expect((await get(playground.port, '/', { 'If-None-Match': String(first.headers.etag) })).status).toBe(304);
  });

  it('says in /readyz why it takes no more sessions', async () => {
    const playground = await playgroundWith({ maxSessions: 1 });
    expect(JSON.parse((await get(playground.port, '/readyz')).body)).toEqual({ ready: true });
    const client = await TestClient.open(playground);
    const full = await get(playground.port, '/readyz');
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body)).toEqual({ ready: false, reason: 'full' });
    expect((await get(playground.port, '/healthz')).status).toBe(200);
    // A page asks the sandbox path itself, which answers 200 so the browser logs no failure.
    const page = await get(playground.port, '/sandbox');
    expect([page.status, JSON.parse(page.body)]).toEqual([200, { ready: false, reason: 'full' }]);
    await client.close();
  });
});

afterAll(async () => {
  for (const playground of started.splice(0)) await playground.close();
});
