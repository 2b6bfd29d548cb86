import { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LIMITS } from '../../server/limits.ts';
import { Session } from '../../server/session.ts';
import { createRng, seedRng, type Rng } from '../../src/core/rng.ts';
import { clientMessage, PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages.ts';
import { until } from './harness.ts';

/**
 * 100,000 hostile messages into one real session (its echo server and the sockets it opens are
 * real): mutated valid messages, random JSON, deep nesting, duplicate keys, huge numbers,
 * __proto__ and constructor keys, invalid UTF-8 and binary frames. The rate limit and the
 * violation cap are lifted so that every message reaches the parser and the handlers; the
 * WebSocket is a stand-in that records what the session sends.
 */
const MESSAGES = 100_000;

class RecordingSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  replies = 0;
  errors = 0;
  closedWith: number | undefined;
  send(data: string): void {
    const message = JSON.parse(data) as ServerMessage;
    if (message.type === 'error') this.errors += 1;
    if (message.type === 'error' || message.type === 'ok' || message.type === 'opened' || message.type === 'sockets') {
      this.replies += 1;
    }
  }
  ping(): void {}
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.close(1006);
  }
}

const VALID = [
  { type: 'hello', version: PROTOCOL_VERSION },
  { type: 'presence' },
  { type: 'connect', id: 1, target: 'echo' },
  { type: 'send', id: 2, socket: 's2', data: 'hello\n' },
  { type: 'shutdown', id: 3, socket: 's2' },
  { type: 'close', id: 4, socket: 's3' },
  { type: 'sockets', id: 5 },
];

const ODD_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  -0,
  2 ** 53 + 1,
  '',
  'echo',
  's99999999',
  '\u0000',
  '\ud800',
  [],
  {},
  { __proto__: { polluted: true } },
  'x'.repeat(5000),
];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function nested(rng: Rng): string {
  const depth = 1 + rng.int(6000);
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** One hostile frame: text, or a Buffer sent as binary or as text with invalid UTF-8. */
function hostile(rng: Rng): { data: Buffer; isBinary: boolean } {
  const text = (raw: string) => ({ data: Buffer.from(raw), isBinary: false });
  switch (rng.int(9)) {
    case 0: {
      const message: Record<string, unknown> = { ...pick(rng, VALID) };
      const key = pick(rng, [...Object.keys(message), 'extra', '__proto__', 'constructor', 'prototype']);
      message[key] = pick(rng, ODD_VALUES);
      return text(JSON.stringify(message));
    }
    case 1:
      return text(JSON.stringify(pick(rng, VALID)).replace('{', `{"type":${JSON.stringify(pick(rng, ODD_VALUES))},`));
    case 2:
      return text(`{"type":${nested(rng)},"id":${rng.int(100)}}`);
    case 3:
      return text(`{"type":"send","id":1,"socket":"s2","data":${nested(rng)}}`);
    case 4:
      return text(JSON.stringify(pick(rng, VALID)).slice(0, rng.int(30)));
    case 5:
      return { data: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), isBinary: rng.chance(0.5) };
    case 6:
      return text(`{"__proto__":{"type":"sockets"},"constructor":{"prototype":{"id":1}},"id":${rng.int(10)}}`);
    case 7:
      return text(`{"id":1e999,"type":"sockets","id":-1e999}`);
    default:
      return text(JSON.stringify(pick(rng, VALID)));
  }
}

/** Whether the protocol accepts a frame: the expected reply is a typed answer rather than an error. */
function expectsReply(frame: { data: Buffer; isBinary: boolean }): boolean {
  if (frame.isBinary) return true;
  let value: unknown;
  try {
    value = JSON.parse(frame.data.toString());
  } catch {
    return true;
  }
  const parsed = clientMessage.safeParse(value);
  // A hello of the right version and a presence are the messages with no answer.
  if (!parsed.success) return true;
  if (parsed.data.type === 'presence') return false;
  return !(parsed.data.type === 'hello' && parsed.data.version === PROTOCOL_VERSION);
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('a session fed 100,000 hostile messages', () => {
  it('never throws, answers every message, and keeps no memory of them', async () => {
    const gc = collectGarbage();
    const ws = new RecordingSocket();
    const limits = { ...LIMITS, messageRatePerSecond: 1e9, messageBurst: 1e9, maxViolations: Number.POSITIVE_INFINITY };
    const session = new Session(ws as unknown as WebSocket, { id: 'fuzz', labHost: '127.0.0.1', limits });
    await session.ready;
    const rng = createRng(seedRng(0x5eed));
    let expected = 0;
    const measure = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    let baseline = 0;
    for (let sent = 0; sent < MESSAGES; sent++) {
      const frame = hostile(rng);
      if (expectsReply(frame)) expected += 1;
      ws.emit('message', frame.data, frame.isBinary);
      if (sent % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
      if (sent === 10_000) {
        await until(() => ws.replies === expected, 'the replies to the first 10,000');
        baseline = measure();
      }
    }
    await until(() => ws.replies === expected, `a reply to each message (${ws.replies} of ${expected})`, 30_000);
    expect(ws.closedWith).toBeUndefined();
    expect(session.ended).toBe(false);
    expect(ws.errors).toBeGreaterThan(MESSAGES / 2);
    expect(ws.replies).toBe(expected);
    const heapGrowth = measure() - baseline;
    expect(heapGrowth).toBeLessThan(8 * 1024 * 1024);
    session.end();
  }, 120_000);
});
