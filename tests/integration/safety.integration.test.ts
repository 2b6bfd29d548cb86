import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import net, { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Playground } from '../../server/app.ts';
import { MAX_PAYLOAD_BYTES, MAX_SESSIONS, MAX_VIOLATIONS } from '../../server/limits.ts';
import { MAX_SEND_BYTES } from '../../src/protocol/messages.ts';
import { captureSupport } from '../../server/capture/tcpdump.ts';
import { openFds, runCli, startTestPlayground, TestClient, until } from './harness.ts';
import { descendantsNamed, running } from './processes.ts';

/** Capture runs only where tcpdump may capture on lo (CI runs as root with tcpdump installed). */
const captureAllowed = (await captureSupport()).ok;

let playground: Playground;
beforeAll(async () => {
  playground = await startTestPlayground();
});
afterAll(async () => {
  await playground.close();
});

/** The raw HTTP answer to an upgrade request, so a refusal can be told from a 101. */
function upgradeStatus(port: number, headers: Record<string, string>, path = '/sandbox'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      port,
      host: '127.0.0.1',
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the WebSocket upgrade', () => {
  it('refuses a foreign Origin, or none, with 403 and no 101', async () => {
    expect(await upgradeStatus(playground.port, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(playground.port, { Origin: `http://127.0.0.1:${playground.port + 1}` })).toBe(403);
    expect(await upgradeStatus(playground.port, {})).toBe(403);
    expect(await upgradeStatus(playground.port, { Origin: `http://localhost:${playground.port}` })).toBe(101);
  });

  it('answers an upgrade on another path with 404', async () => {
    expect(await upgradeStatus(playground.port, { Origin: `http://127.0.0.1:${playground.port}` }, '/other')).toBe(404);
  });

  it(`refuses session ${MAX_SESSIONS + 1} with 503`, async () => {
    const clients = await Promise.all(Array.from({ length: MAX_SESSIONS }, () => TestClient.open(playground)));
    expect(await upgradeStatus(playground.port, { Origin: `http://127.0.0.1:${playground.port}` })).toBe(503);
    await Promise.all(clients.map((client) => client.close()));
    await until(() => playground.sandbox.sessions().size === 0, 'sessions to end');
    expect(await upgradeStatus(playground.port, { Origin: `http://127.0.0.1:${playground.port}` })).toBe(101);
  });
});

describe('bad input gets a specific answer and the session goes on', () => {
  it('answers bad JSON and an unknown type, then still serves', async () => {
    const client = await TestClient.open(playground);
    client.sendRaw('{"type": "connect"');
    expect(await client.next('error')).toEqual({ type: 'error', code: 'bad-json', message: 'message is not valid JSON' });
    const unknown = await client.request({ type: 'format-disk' });
    expect(unknown).toMatchObject({ type: 'error', code: 'bad-message' });
    expect(unknown.type === 'error' && unknown.message).toContain('unknown message type "format-disk"');
    const missing = await client.request({ type: 'send', socket: 's1' });
    expect(missing.type === 'error' && missing.message).toContain('data');
    expect(await client.request({ type: 'sockets' })).toMatchObject({ type: 'sockets' });
    expect(client.closed).toBeUndefined();
    await client.close();
  });

  it('refuses an oversized send with the cap named, and writes nothing', async () => {
    const client = await TestClient.open(playground);
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error('not opened');
    const reply = await client.request({ type: 'send', socket: opened.socket, data: 'x'.repeat(MAX_SEND_BYTES + 1) });
    expect(reply).toMatchObject({ type: 'error', code: 'bad-message' });
    expect(reply.type === 'error' && reply.message).toContain(`larger than ${MAX_SEND_BYTES} bytes`);
    expect(client.events.filter((e) => e.kind === 'write')).toEqual([]);
    expect(await client.request({ type: 'send', socket: opened.socket, data: 'ok\n' })).toMatchObject({ type: 'ok' });
    await client.close();
  });

  it("answers a send to a socket that is not the terminal's", async () => {
    const client = await TestClient.open(playground);
    const reply = await client.request({ type: 'send', socket: 's1', data: 'x' });
    expect(reply).toMatchObject({ type: 'error', code: 'no-such-socket' });
    await client.close();
  });

  it(`closes a frame over ${MAX_PAYLOAD_BYTES} bytes with 1009`, async () => {
    const client = await TestClient.open(playground);
    client.sendRaw('x'.repeat(MAX_PAYLOAD_BYTES + 1));
    await until(() => client.closed !== undefined, 'the close');
    expect(client.closed?.code).toBe(1009);
  });

  it('closes a session that keeps sending garbage with 1008', async () => {
    const client = await TestClient.open(playground);
    for (let i = 0; i < MAX_VIOLATIONS; i++) client.sendRaw('nope');
    await until(() => client.closed !== undefined, 'the close');
    expect(client.closed?.code).toBe(1008);
    expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(MAX_VIOLATIONS);
  });
});

describe('the sandbox connects only to its own servers', () => {
  it.each(['10.0.0.1:22', '10.0.0.1 22', '127.0.0.1:22', 'example.com:80', 'localhost', '[::1]:4321', '2130706433', 'ECHO', ''])(
    'refuses %j with a clear error and makes no connect() call',
    async (target) => {
      const client = await TestClient.open(playground);
      const connectSpy = vi.spyOn(net.Socket.prototype, 'connect');
      try {
        const reply = await client.request({ type: 'connect', target });
        expect(reply).toMatchObject({ type: 'error', code: 'refused-target' });
        expect(reply.type === 'error' && reply.message).toContain('the sandbox connects only to its own servers (echo)');
        expect(connectSpy).not.toHaveBeenCalled();
        expect(client.events.filter((e) => e.kind === 'connect')).toEqual([]);
        await client.close();
      } finally {
        connectSpy.mockRestore();
      }
    },
  );
});

describe('resources', () => {
  it('returns open fds to baseline after 200 sessions open and close', async () => {
    const warm = await TestClient.open(playground);
    await warm.close();
    await until(() => playground.sandbox.sessions().size === 0, 'warm-up session to end');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const baseline = openFds();
    for (let round = 0; round < 20; round++) {
      const clients = await Promise.all(Array.from({ length: 10 }, () => TestClient.open(playground)));
      await Promise.all(
        clients.map(async (client) => {
          const opened = await client.request({ type: 'connect', target: 'echo' });
          if (opened.type === 'opened') await client.request({ type: 'send', socket: opened.socket, data: 'hi\n' });
        }),
      );
      await Promise.all(clients.map((client) => client.close()));
    }
    await until(() => playground.sandbox.sessions().size === 0, 'all sessions to end');
    await until(() => openFds() <= baseline, `open fds (${openFds()}) to return to ${baseline}`);
    expect(openFds()).toBe(baseline);
  });
});

describe('the command line', () => {
  const dist = mkdtempSync(join(tmpdir(), 'playground-cli-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>cli</title>');

  /** Start-up takes well under a second, but several seconds on a machine busy with other tests; this only bounds a hang. */
  const START_MS = 15_000;

  const run = (args: string[]) => runCli(dist, args);

  it('says clearly that a port is taken, without a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const cli = run(['--port', String(port)]);
    expect(await cli.exited).toBe(1);
    expect(cli.err()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(cli.err()).not.toMatch(/\n\s+at /);
    blocker.close();
  });

  it('prints its URL, and on SIGTERM closes sessions with 1001 and exits 0', async () => {
    const cli = run(['--port', '0']);
    await until(() => /running at http:\/\/127\.0\.0\.1:(\d+)\//.test(cli.out()), 'the start-up line', START_MS);
    const port = Number(/:(\d+)\//.exec(cli.out())?.[1]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sandbox`, { origin: `http://127.0.0.1:${port}` });
    let closeCode: number | undefined;
    ws.on('close', (code) => (closeCode = code));
    await new Promise((resolve) => ws.once('message', resolve));
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await until(() => closeCode !== undefined, 'the WebSocket to close');
    expect(closeCode).toBe(1001);
  });

  it('on SIGTERM, cuts off a browser that never answers the close after a short grace', async () => {
    const cli = run(['--port', '0']);
    await until(() => /running at http:\/\/127\.0\.0\.1:(\d+)\//.test(cli.out()), 'the start-up line', START_MS);
    const port = Number(/:(\d+)\//.exec(cli.out())?.[1]);
    // A raw client that completes the upgrade and then never sends anything, not even its close frame.
    const silent = net.connect({ port, host: '127.0.0.1' });
    silent.on('error', () => undefined);
    silent.write(
      `GET /sandbox HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
        'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await new Promise((resolve) => silent.once('data', resolve));
    cli.child.kill('SIGTERM');
    // ws alone would wait 30 s for the close frame that never comes.
    const exit = await Promise.race([cli.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(exit).toBe(0);
    silent.destroy();
  });

  it.skipIf(!captureAllowed)('leaves no tcpdump behind when the server is killed outright', async () => {
    const cli = run(['--port', '0', '--capture']);
    await until(() => /running at http:\/\/127\.0\.0\.1:(\d+)\//.test(cli.out()), 'the start-up line', 10_000);
    const port = Number(/:(\d+)\//.exec(cli.out())?.[1]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sandbox`, { origin: `http://127.0.0.1:${port}` });
    ws.on('error', () => undefined);
    const captureOn = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; capture?: { state: string } };
        if (message.type === 'capture' && message.capture?.state === 'on') resolve();
      }),
    );
    await captureOn;
    const tcpdumps = descendantsNamed('tcpdump', cli.child.pid);
    expect(tcpdumps.length).toBeGreaterThan(0);
    cli.child.kill('SIGKILL');
    await cli.exited;
    await until(() => tcpdumps.every((pid) => !running(pid)), 'every tcpdump to end with its server');
    ws.terminate();
  });
});
