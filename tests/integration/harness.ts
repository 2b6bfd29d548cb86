import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import WebSocket from 'ws';
import { startPlayground, type Playground } from '../../server/app.ts';
import { LIMITS, type Limits } from '../../server/limits.ts';
import type { Scheduler } from '../../server/scheduler.ts';
import type { SocketEvent } from '../../src/protocol/events.ts';
import type { ServerMessage } from '../../src/protocol/messages.ts';

/** A real playground on an ephemeral loopback port, serving a one-page site (or the given folder). */
export async function startTestPlayground(
  options: { capture?: boolean; limits?: Partial<Limits>; dist?: string; scheduler?: Scheduler } = {},
): Promise<Playground> {
  const dist = options.dist ?? mkdtempSync(join(tmpdir(), 'playground-dist-'));
  if (options.dist === undefined) writeFileSync(join(dist, 'index.html'), '<!doctype html><title>test</title>');
  return startPlayground(
    { port: 0, host: '127.0.0.1', origins: [], dist, capture: options.capture ?? false },
    { ...LIMITS, ...options.limits },
    options.scheduler === undefined ? {} : { scheduler: options.scheduler },
  );
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

export const until = async (check: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A browser stand-in: a ws client with the site's own Origin that records everything it is sent. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  #nextId = 1;

  constructor(playground: Playground, origin = `http://127.0.0.1:${playground.port}`, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(`ws://127.0.0.1:${playground.port}/sandbox`, { origin, ...options });
    this.ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as ServerMessage));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', () => undefined);
  }

  static async open(playground: Playground): Promise<TestClient> {
    const client = new TestClient(playground);
    await client.next('welcome');
    return client;
  }

  get events(): SocketEvent[] {
    return this.messages.flatMap((message) => (message.type === 'events' ? message.events : []));
  }

  get echoAddress(): string {
    const welcome = this.messages.find((message) => message.type === 'welcome');
    if (welcome?.type !== 'welcome') throw new Error('no welcome yet');
    return welcome.servers[0]?.address ?? '';
  }

  async next<T extends ServerMessage['type']>(
    type: T,
    match: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    let found: Extract<ServerMessage, { type: T }> | undefined;
    await until(() => {
      found = this.messages.find(
        (message): message is Extract<ServerMessage, { type: T }> =>
          message.type === type && match(message as Extract<ServerMessage, { type: T }>),
      );
      return found !== undefined || this.closed !== undefined;
    }, `a "${type}" message`);
    if (found === undefined) throw new Error(`closed (${this.closed?.code}) before a "${type}" message`);
    return found;
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  /** Sends a request and waits for the reply that carries its id. */
  async request(message: Record<string, unknown>): Promise<ServerMessage> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ ...message, id }));
    let reply: ServerMessage | undefined;
    await until(
      () => {
        reply = this.messages.find((m) => 'id' in m && m.id === id);
        return reply !== undefined;
      },
      `the reply to ${String(message.type)}`,
    );
    return reply as ServerMessage;
  }

  async waitForEvent(match: (event: SocketEvent) => boolean, what: string): Promise<SocketEvent> {
    let found: SocketEvent | undefined;
    await until(() => {
      found = this.events.find(match);
      return found !== undefined;
    }, what);
    return found as SocketEvent;
  }

  async close(): Promise<void> {
    if (this.closed !== undefined) return;
    this.ws.close();
    await until(() => this.closed !== undefined, 'the close handshake');
  }
}

/**
 * Opens and closes `count` connections to `address` from outside the browser, a few at a time. The
 * side that closes first keeps each in TIME-WAIT: rows for the session's ss.
 */
export async function leaveTimeWaits(address: string, count: number, atOnce = 8): Promise<void> {
  const host = address.slice(0, address.lastIndexOf(':'));
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  for (let done = 0; done < count; done += atOnce) {
    await Promise.all(
      Array.from(
        { length: Math.min(atOnce, count - done) },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port, host }, () => socket.end());
            socket.on('close', () => resolve());
            socket.on('error', () => resolve());
            socket.resume();
          }),
      ),
    );
  }
}

/** `node server/main.ts` serving `dist` with the given options, its output collected, as a person would start it. */
export function runCli(dist: string, args: readonly string[]) {
  const child = spawn(process.execPath, ['server/main.ts', '--dist', dist, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data) => (stdout += data));
  child.stderr.on('data', (data) => (stderr += data));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}
