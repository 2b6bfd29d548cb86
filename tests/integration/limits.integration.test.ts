import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Playground } from '../../server/app.ts';
import {
  CLOSE,
  CONNECT_TIMEOUT_MS,
  IDLE_TIMEOUT_MS,
  LIFETIME_MS,
  MAX_CLIENT_SOCKETS,
  MAX_OUTSIDE_BYTES,
  MAX_OUTSIDE_CONNECTIONS,
  MAX_SESSION_SEND_BYTES,
  MAX_VIOLATIONS,
  MESSAGE_BURST,
  MESSAGE_RATE_PER_SECOND,
  OUTSIDE_IDLE_MS,
  RECLAIM_IDLE_MS,
  type Limits,
} from '../../server/limits.ts';
import { ManualScheduler } from '../../server/scheduler.ts';
import { MAX_SEND_BYTES, type ServerMessage } from '../../src/protocol/messages.ts';
import { startTestPlayground, TestClient, until } from './harness.ts';

/**
 * Every cap and timeout of server/limits.ts at its real value, on a real server with real sockets:
 * only the server's clock is the test's, so fifteen minutes pass in one call. For each: what the
 * browser is told, what is closed, what is kept, and that the others are still served.
 */

const started: Playground[] = [];
let clock: ManualScheduler;

async function playground(limits: Partial<Limits> = {}): Promise<Playground> {
  clock = new ManualScheduler();
  // The heartbeat needs a pong between two beats; moving hours at once would end every session,
  // so each limit here is tested alone, with beats far apart.
  const running = await startTestPlayground({ scheduler: clock, limits: { heartbeatIntervalMs: 10 * LIFETIME_MS, ...limits } });
  started.push(running);
  return running;
}
afterEach(async () => {
  for (const running of started.splice(0)) await running.close();
});

async function connectEcho(client: TestClient): Promise<string> {
  const reply = await client.request({ type: 'connect', target: 'echo' });
  if (reply.type !== 'opened') throw new Error(`connect answered ${JSON.stringify(reply)}`);
  return reply.socket;
}

function received(client: TestClient, socket: string): string {
  return client.messages.map((message) => (message.type === 'received' && message.socket === socket ? message.data : '')).join('');
}

/** Sends a line through the terminal's socket and waits for the echo server to send it back. */
async function echoes(client: TestClient, socket: string, line: string): Promise<void> {
  const before = received(client, socket).length;
  const reply = await client.request({ type: 'send', socket, data: line });
  expect(reply.type).toBe('ok');
  await until(() => received(client, socket).slice(before).includes(line), `the echo of ${line}`);
}

/** A round trip, so the server has handled everything the browser sent before it; the events before it come along. */
async function roundTrip(client: TestClient): Promise<Extract<ServerMessage, { type: 'sockets' }>> {
  const reply = await client.request({ type: 'sockets' });
  if (reply.type !== 'sockets') throw new Error(`sockets answered ${JSON.stringify(reply)}`);
  return reply;
}

/** Asks ss until `check` holds: the session's sockets as the server sees them. */
async function eventually(client: TestClient, check: (reply: Extract<ServerMessage, { type: 'sockets' }>) => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    if (check(await roundTrip(client))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never saw ${what}`);
}

function echoPort(client: TestClient): number {
  return Number(client.echoAddress.split(':')[1]);
}

/** Whether something listens on a loopback port: a closed session's echo server must not. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A learner's own nc: a connection from outside the browser to the session's echo server. */
async function outside(client: TestClient): Promise<net.Socket & { ended: boolean }> {
  const socket = Object.assign(net.connect({ port: echoPort(client), host: '127.0.0.1' }), { ended: false });
  socket.on('error', () => undefined);
  socket.on('close', () => (socket.ended = true));
  socket.resume();
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** The HTTP status an upgrade gets: 101 when a session opens (it is closed again at once). */
function upgradeStatus(server: Playground): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/sandbox`, { origin: `http://127.0.0.1:${server.port}` });
    ws.on('error', () => undefined);
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
  });
}

const notices = (client: TestClient, code: string) =>
  client.messages.filter((message): message is Extract<ServerMessage, { type: 'notice' }> => message.type === 'notice' && message.code === code);

describe('session timeouts, on the injected clock', () => {
  it(`closes a session silent for ${IDLE_TIMEOUT_MS / 60_000} minutes with 1000, frees its sockets, and keeps a busy one`, async () => {
    const server = await playground();
    const quiet = await TestClient.open(server);
    const busy = await TestClient.open(server);
    const [quietSocket, busySocket] = [await connectEcho(quiet), await connectEcho(busy)];
    clock.advance(IDLE_TIMEOUT_MS - 1);
    await roundTrip(busy);
    expect(quiet.closed).toBeUndefined();
    clock.advance(1);
    await until(() => quiet.closed !== undefined, 'the quiet session to close');
    expect(quiet.closed?.code).toBe(CLOSE.idle);
    expect(await accepts(echoPort(quiet))).toBe(false);
    expect(server.sandbox.sessions().size).toBe(1);
    await echoes(busy, busySocket, 'still here\n');
    expect(received(quiet, quietSocket)).toBe('');
    clock.advance(IDLE_TIMEOUT_MS - 1);
    await echoes(busy, busySocket, 'and here\n');
  });

  it(`ends every session after ${LIFETIME_MS / 3_600_000} hours however busy, and serves one opened later`, async () => {
    const server = await playground();
    const early = await TestClient.open(server);
    const socket = await connectEcho(early);
    let late: TestClient | undefined;
    for (let elapsed = 0; elapsed < LIFETIME_MS - 1; ) {
      const step = Math.min(10 * 60_000, LIFETIME_MS - 1 - elapsed);
      clock.advance(step);
      elapsed += step;
      await echoes(early, socket, `at ${elapsed} ms\n`);
      if (late === undefined && elapsed >= LIFETIME_MS / 2) late = await TestClient.open(server);
      if (late !== undefined) await roundTrip(late);
    }
    expect(early.closed).toBeUndefined();
    clock.advance(1);
    await until(() => early.closed !== undefined, 'the lifetime to end the session');
    expect(early.closed?.code).toBe(CLOSE.lifetime);
    expect(await accepts(echoPort(early))).toBe(false);
    if (late === undefined) throw new Error('the later session never opened');
    expect(late.closed).toBeUndefined();
    await echoes(late, await connectEcho(late), 'younger\n');
  });

  it(`fails a connect() that has not completed in ${CONNECT_TIMEOUT_MS / 1000} s, and the next one works`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const armed = clock.armed(CONNECT_TIMEOUT_MS);
    const pending = client.request({ type: 'connect', target: 'echo' });
    // The timer is set in the same turn as the connect() itself: time moves before the kernel's answer is read.
    await armed;
    clock.advance(CONNECT_TIMEOUT_MS);
    const reply = await pending;
    expect(reply).toMatchObject({ type: 'error', code: 'socket-error', message: `connect() to echo did not complete in ${CONNECT_TIMEOUT_MS / 1000} s` });
    expect(client.messages.some((message) => message.type === 'opened')).toBe(false);
    expect(client.closed).toBeUndefined();
    await echoes(client, await connectEcho(client), 'second try\n');
  });
});

describe('a full process, on the injected clock', () => {
  it(`refuses a newcomer with 503, until a session has been quiet ${RECLAIM_IDLE_MS / 60_000} minutes and gives up its slot (4001)`, async () => {
    const server = await playground({ maxSessions: 2 });
    const quiet = await TestClient.open(server);
    const busy = await TestClient.open(server);
    const busySocket = await connectEcho(busy);
    expect(await upgradeStatus(server)).toBe(503);
    clock.advance(RECLAIM_IDLE_MS - 1);
    await roundTrip(busy);
    expect(await upgradeStatus(server)).toBe(503);
    clock.advance(1);
    await roundTrip(busy);
    const newcomer = await TestClient.open(server);
    await until(() => quiet.closed !== undefined, 'the quiet session to give way');
    expect(quiet.closed).toEqual({ code: CLOSE.reclaimed, reason: 'idle while the playground was full; reconnect for a new sandbox' });
    expect(await accepts(echoPort(quiet))).toBe(false);
    await echoes(busy, busySocket, 'kept\n');
    await echoes(newcomer, await connectEcho(newcomer), 'admitted\n');
  });
});

describe('message rate and violations, on the injected clock', () => {
  it(`answers message ${MESSAGE_BURST + 1} of a burst with a rate error, and takes ${MESSAGE_RATE_PER_SECOND} more a second later`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const other = await TestClient.open(server);
    const rateErrors = () => client.messages.filter((message) => message.type === 'error' && message.code === 'rate');
    for (let i = 0; i < MESSAGE_BURST; i++) client.sendRaw(JSON.stringify({ type: 'presence' }));
    // Over the rate, a message is not even parsed, so its answer carries no id.
    client.sendRaw(JSON.stringify({ type: 'sockets', id: 1 }));
    await until(() => rateErrors().length === 1, 'the rate error');
    expect(rateErrors()[0]).toEqual({ type: 'error', code: 'rate', message: `too many messages: at most ${MESSAGE_RATE_PER_SECOND} a second` });
    expect(client.messages.some((message) => message.type === 'sockets')).toBe(false);
    await roundTrip(other);
    clock.advance(1000);
    for (let i = 0; i < MESSAGE_RATE_PER_SECOND - 1; i++) client.sendRaw(JSON.stringify({ type: 'presence' }));
    await roundTrip(client);
    client.sendRaw(JSON.stringify({ type: 'sockets', id: 2 }));
    await until(() => rateErrors().length === 2, 'the second rate error');
    expect(client.closed).toBeUndefined();
  });

  it(`closes a session with 1008 at its ${MAX_VIOLATIONS}th violation, answering each, and others go on`, async () => {
    const server = await playground();
    const abuser = await TestClient.open(server);
    const bystander = await TestClient.open(server);
    const bystanderSocket = await connectEcho(bystander);
    await connectEcho(abuser);
    for (let i = 0; i < MAX_VIOLATIONS - 1; i++) {
      expect(await abuser.request({ type: 'connect', target: '10.0.0.1:22' })).toMatchObject({ type: 'error', code: 'refused-target' });
    }
    expect(abuser.closed).toBeUndefined();
    abuser.sendRaw('not json');
    await until(() => abuser.closed !== undefined, 'the close');
    expect(abuser.closed).toEqual({ code: CLOSE.policy, reason: 'too many invalid messages' });
    expect(abuser.messages.filter((message) => message.type === 'error')).toHaveLength(MAX_VIOLATIONS);
    expect(await accepts(echoPort(abuser))).toBe(false);
    await echoes(bystander, bystanderSocket, 'unaffected\n');
  });
});

describe('per-session socket and byte caps', () => {
  it(`refuses terminal socket ${MAX_CLIENT_SOCKETS + 1} with the cap named, keeps the others, and opens one once another closes`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const sockets: string[] = [];
    for (let i = 0; i < MAX_CLIENT_SOCKETS; i++) sockets.push(await connectEcho(client));
    const refused = await client.request({ type: 'connect', target: 'echo' });
    expect(refused).toMatchObject({ type: 'error', code: 'limit', message: expect.stringContaining(`at most ${MAX_CLIENT_SOCKETS} connections`) });
    await echoes(client, sockets.at(-1) as string, 'the last one still works\n');
    const other = await TestClient.open(server);
    await echoes(other, await connectEcho(other), 'another session has its own\n');
    expect(await client.request({ type: 'close', socket: sockets[0] })).toMatchObject({ type: 'ok' });
    await eventually(client, (reply) => !reply.sockets.some((row) => row.socket === sockets[0]), 'the closed socket gone');
    await echoes(client, await connectEcho(client), 'room again\n');
  });

  it(`refuses a send past the session's ${MAX_SESSION_SEND_BYTES / 1024} KiB, writes none of it, and the socket still receives`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const socket = await connectEcho(client);
    // A megabyte is 256 sends: time runs on, five times as fast as the real clock, so the message
    // rate is not what this test meets and the outbox's flush and drain timers fire.
    const ticker = setInterval(() => clock.advance(5 * 5), 5);
    try {
      const chunk = 'x'.repeat(MAX_SEND_BYTES - 1) + '\n';
      for (let sent = 0; sent < MAX_SESSION_SEND_BYTES; sent += chunk.length) {
        expect(await client.request({ type: 'send', socket, data: chunk })).toMatchObject({ type: 'ok' });
      }
      await until(() => received(client, socket).length === MAX_SESSION_SEND_BYTES, 'every byte echoed', 20_000);
      const refused = await client.request({ type: 'send', socket, data: 'y' });
      expect(refused).toMatchObject({
        type: 'error',
        code: 'limit',
        message: `this session has sent its ${MAX_SESSION_SEND_BYTES / 1024} KiB; reload the page for a new sandbox`,
      });
      const written = () => client.events.filter((event) => event.socket === socket && event.kind === 'write').reduce((sum, event) => sum + (event.bytes ?? 0), 0);
      await until(() => written() === MAX_SESSION_SEND_BYTES, 'the write events');
      // What is kept: the connection itself, the echo server for others, the session.
      const { sockets } = await roundTrip(client);
      expect(sockets.find((row) => row.socket === socket)?.state).toBe('ESTAB');
      const peer = await outside(client);
      peer.write('from outside\n');
      await until(() => peer.bytesRead === 'from outside\n'.length, 'the outside echo');
      peer.destroy();
      expect(written()).toBe(MAX_SESSION_SEND_BYTES);
      expect(client.closed).toBeUndefined();
    } finally {
      clearInterval(ticker);
    }
  });
});

describe('connections from outside the browser, on the injected clock', () => {
  it(`holds ${MAX_OUTSIDE_CONNECTIONS} outside connections, refuses the next with a notice, and the terminal still connects`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const peers = [];
    for (let i = 0; i < MAX_OUTSIDE_CONNECTIONS; i++) peers.push(await outside(client));
    const extra = await outside(client);
    await until(() => extra.ended, 'the extra connection to be closed');
    const [refusal] = notices(client, 'outside-refused');
    expect(refusal?.message).toContain(`${MAX_OUTSIDE_CONNECTIONS} connections from outside the browser are already open`);
    expect(peers.every((peer) => !peer.ended)).toBe(true);
    await echoes(client, await connectEcho(client), 'mine\n');
    for (const peer of peers) peer.destroy();
  });

  it(`closes an outside client past ${MAX_OUTSIDE_BYTES / (1024 * 1024)} MiB with a notice; the terminal's echo goes on`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const socket = await connectEcho(client);
    const peer = await outside(client);
    // Four megabytes of events keep the browser's queue long: time runs on (at five times the real
    // clock) so that the outbox's drain checks fire and the session's replies go out.
    const ticker = setInterval(() => clock.advance(5 * 5), 5);
    try {
      const block = Buffer.alloc(64 * 1024, 'o');
      for (let sent = 0; sent <= MAX_OUTSIDE_BYTES && !peer.ended; sent += block.length) {
        if (!peer.write(block)) await new Promise((resolve) => peer.once('drain', resolve).once('close', resolve));
      }
      await until(() => peer.ended, 'the outside client to be closed');
      await until(() => notices(client, 'outside-bytes').length === 1, 'the notice');
      expect(notices(client, 'outside-bytes')[0]?.message).toContain(`outside clients have sent their ${MAX_OUTSIDE_BYTES / (1024 * 1024)} MiB for this session`);
      await echoes(client, socket, 'the terminal is not charged\n');
      const next = await outside(client);
      await until(() => next.ended, 'a further outside client to be refused');
      await until(() => notices(client, 'outside-refused').length === 1, 'the refusal notice');
      expect(notices(client, 'outside-refused')[0]?.message).toContain('outside clients have sent their');
    } finally {
      clearInterval(ticker);
    }
  });

  it(`closes an outside connection silent for ${OUTSIDE_IDLE_MS / 1000} s with a notice, and keeps one that talks`, async () => {
    const server = await playground();
    const client = await TestClient.open(server);
    const silent = await outside(client);
    const talker = await outside(client);
    // Each idle timer is armed when the session tells an accepted connection to be from outside.
    await eventually(client, (reply) => reply.sockets.filter((row) => row.peer === 'outside').length === 2, 'both outside connections');
    clock.advance(OUTSIDE_IDLE_MS / 2);
    talker.write('ping\n');
    await until(() => talker.bytesRead > 0, 'the talker’s echo');
    clock.advance(OUTSIDE_IDLE_MS / 2);
    await until(() => silent.ended, 'the silent connection to be closed');
    expect(notices(client, 'outside-idle')[0]?.message).toContain(`it sent nothing for ${OUTSIDE_IDLE_MS / 1000} s`);
    expect(talker.ended).toBe(false);
    clock.advance(OUTSIDE_IDLE_MS / 2);
    await until(() => talker.ended, 'the talker, silent since, to be closed');
    expect(client.closed).toBeUndefined();
  });
});
