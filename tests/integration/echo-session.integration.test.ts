import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playground } from '../../server/app.ts';
import type { SocketEvent } from '../../src/protocol/events.ts';
import { startTestPlayground, TestClient } from './harness.ts';

let playground: Playground;
beforeAll(async () => {
  playground = await startTestPlayground();
});
afterAll(async () => {
  await playground.close();
});

const kinds = (events: SocketEvent[], socket: string) => events.filter((e) => e.socket === socket).map((e) => e.kind);

describe('a live echo session', () => {
  it('reports the echo server listening on an ephemeral loopback port', async () => {
    const client = await TestClient.open(playground);
    expect(client.echoAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(client.echoAddress).not.toBe(`127.0.0.1:${playground.port}`);
    const listen = await client.waitForEvent((e) => e.kind === 'listen', 'listen');
    expect(listen).toMatchObject({ role: 'listener', origin: 'sandbox', server: 'echo', local: client.echoAddress });
    await client.close();
  });

  it('yields the ordered events of both sides: handshake, data, FIN and close', async () => {
    const client = await TestClient.open(playground);
    const opened = await client.request({ type: 'connect', target: 'echo' });
    expect(opened).toMatchObject({ type: 'opened', remote: client.echoAddress });
    if (opened.type !== 'opened') throw new Error('not opened');
    const clientSocket = opened.socket;

    expect(await client.request({ type: 'send', socket: clientSocket, data: 'hello\n' })).toMatchObject({ type: 'ok' });
    const received = await client.next('received');
    expect(received).toEqual({ type: 'received', socket: clientSocket, data: 'hello\n' });

    expect(await client.request({ type: 'shutdown', socket: clientSocket })).toMatchObject({ type: 'ok' });
    await client.waitForEvent((e) => e.socket === clientSocket && e.kind === 'close', 'the client socket to close');

    const events = client.events;
    const accept = events.find((e) => e.kind === 'accept');
    expect(accept).toMatchObject({ role: 'server', local: client.echoAddress, remote: opened.local });
    const serverSocket = accept!.socket;

    expect(kinds(events, clientSocket)).toEqual(['connect', 'connected', 'write', 'read', 'shutdown', 'fin', 'close']);
    expect(kinds(events, serverSocket)).toEqual(['accept', 'read', 'write', 'fin', 'close']);

    // Causality across the two sides, whatever order the loop saw accept and connect complete in.
    const at = (socket: string, kind: string) => events.findIndex((e) => e.socket === socket && e.kind === kind);
    expect(at(clientSocket, 'connect')).toBeLessThan(at(serverSocket, 'accept'));
    expect(at(clientSocket, 'write')).toBeLessThan(at(serverSocket, 'read'));
    expect(at(serverSocket, 'write')).toBeLessThan(at(clientSocket, 'read'));
    expect(at(clientSocket, 'shutdown')).toBeLessThan(at(serverSocket, 'fin'));
    expect(at(serverSocket, 'close')).toBeLessThan(at(clientSocket, 'fin'));

    for (const e of events.filter((e) => e.kind === 'read' || e.kind === 'write')) {
      expect(e).toMatchObject({ bytes: 6, preview: 'hello\\n' });
    }
    const connected = events.find((e) => e.kind === 'connected');
    expect(connected).toMatchObject({ local: opened.local, remote: client.echoAddress });

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    await client.close();
  });

  it('shows a connection from outside the browser, and lists it in ss', async () => {
    const client = await TestClient.open(playground);
    const port = Number(client.echoAddress.split(':')[1]);
    const outside: Socket = connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => outside.once('connect', resolve));
    const echoed = new Promise<string>((resolve) => outside.once('data', (data) => resolve(data.toString())));
    outside.write('from nc\n');
    expect(await echoed).toBe('from nc\n');

    const accept = await client.waitForEvent((e) => e.kind === 'accept', 'accept of the outside client');
    expect(accept.remote).toBe(`127.0.0.1:${outside.localPort}`);
    await client.waitForEvent((e) => e.socket === accept.socket && e.kind === 'write', 'the echo');

    const listing = await client.request({ type: 'sockets' });
    expect(listing.type).toBe('sockets');
    if (listing.type !== 'sockets') return;
    expect(listing.sockets).toContainEqual(
      expect.objectContaining({
        socket: accept.socket,
        role: 'server',
        peer: 'outside',
        bytesIn: 8,
        bytesOut: 8,
        state: 'ESTAB',
      }),
    );
    expect(listing.sockets[0]).toMatchObject({ role: 'listener', state: 'LISTEN', local: client.echoAddress });

    outside.end();
    await client.waitForEvent((e) => e.socket === accept.socket && e.kind === 'close', 'the server side to close');
    outside.destroy();
    await client.close();
  });

  it('lists a closed connection the kernel still holds in TIME-WAIT', async () => {
    const client = await TestClient.open(playground);
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error('not opened');
    await client.request({ type: 'shutdown', socket: opened.socket });
    await client.waitForEvent((e) => e.socket === opened.socket && e.kind === 'close', 'close');
    const listing = await client.request({ type: 'sockets' });
    if (listing.type !== 'sockets') throw new Error('no listing');
    expect(listing.sockets).toContainEqual(
      expect.objectContaining({ socket: '-', local: opened.local, remote: client.echoAddress, state: 'TIME-WAIT' }),
    );
    await client.close();
  });

  it('keeps the sending side shut after shutdown, with a clear error', async () => {
    const client = await TestClient.open(playground);
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error('not opened');
    await client.request({ type: 'shutdown', socket: opened.socket });
    const reply = await client.request({ type: 'send', socket: opened.socket, data: 'late' });
    expect(reply).toMatchObject({ type: 'error' });
    expect(reply.type === 'error' && reply.message).toMatch(/shut down its sending side|no open terminal socket/);
    await client.close();
  });
});
