import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { EventOutbox } from '../../../server/event-outbox.ts';
import {
  DRAIN_POLL_MS,
  EVENT_FLUSH_MS,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PENDING_EVENTS,
  MAX_PENDING_REPLIES,
  WS_HIGH_WATER_BYTES,
  WS_LOW_WATER_BYTES,
} from '../../../server/limits.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';

/** Stands in for a WebSocket whose browser reads only when the test says so. */
class FakeSocket {
  bufferedAmount = 0;
  sent: { type: string; events?: SocketEvent[] }[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
}

const event = (seq: number): SocketEvent => ({
  seq,
  t: seq,
  kind: 'read',
  socket: 's2',
  role: 'server',
  origin: 'sandbox',
  bytes: 1,
});

describe('EventOutbox', () => {
  let ws: FakeSocket;
  let paused: boolean[];
  let overflowed: number;
  let outbox: EventOutbox;
  beforeEach(() => {
    vi.useFakeTimers();
    ws = new FakeSocket();
    paused = [];
    overflowed = 0;
    outbox = new EventOutbox(ws as unknown as WebSocket, {
      onBackpressure: (value) => paused.push(value),
      onOverflow: () => (overflowed += 1),
    });
  });
  afterEach(() => vi.useRealTimers());

  it('batches the events of one flush interval into one message', () => {
    for (let i = 0; i < 10; i++) outbox.push(event(i));
    expect(ws.sent).toEqual([]);
    vi.advanceTimersByTime(EVENT_FLUSH_MS);
    expect(ws.sent).toHaveLength(1);
    expect(ws.sent[0]?.events?.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends the first event after a quiet spell at once, and batches what follows it closely', () => {
    outbox.push(event(0));
    vi.advanceTimersByTime(1);
    expect(ws.sent.map((m) => m.events?.map((e) => e.seq))).toEqual([[0]]);
    outbox.push(event(1));
    outbox.push(event(2));
    vi.advanceTimersByTime(1);
    expect(ws.sent).toHaveLength(1);
    vi.advanceTimersByTime(EVENT_FLUSH_MS);
    expect(ws.sent.map((m) => m.events?.map((e) => e.seq))).toEqual([[0], [1, 2]]);
    vi.advanceTimersByTime(EVENT_FLUSH_MS * 3);
    outbox.push(event(3));
    vi.advanceTimersByTime(1);
    expect(ws.sent).toHaveLength(3);
  });

  it(`splits a burst into messages of at most ${MAX_EVENTS_PER_MESSAGE} events, in order`, () => {
    for (let i = 0; i < MAX_EVENTS_PER_MESSAGE * 2 + 1; i++) outbox.push(event(i));
    vi.advanceTimersByTime(EVENT_FLUSH_MS);
    expect(ws.sent.map((m) => m.events?.length)).toEqual([MAX_EVENTS_PER_MESSAGE, MAX_EVENTS_PER_MESSAGE, 1]);
    expect(ws.sent.flatMap((m) => m.events?.map((e) => e.seq) ?? [])).toEqual([...Array(MAX_EVENTS_PER_MESSAGE * 2 + 1).keys()]);
  });

  it('sends a reply after the events that came before it', () => {
    outbox.push(event(0));
    outbox.send({ type: 'ok', id: 1 });
    expect(ws.sent.map((m) => m.type)).toEqual(['events', 'ok']);
  });

  it('holds events and pauses reading while the browser is behind, and resumes once it drains', () => {
    ws.bufferedAmount = WS_HIGH_WATER_BYTES;
    outbox.push(event(0));
    vi.advanceTimersByTime(EVENT_FLUSH_MS);
    expect(ws.sent).toEqual([]);
    expect(paused).toEqual([true]);
    ws.bufferedAmount = WS_LOW_WATER_BYTES + 1;
    vi.advanceTimersByTime(DRAIN_POLL_MS * 3);
    expect(paused).toEqual([true]);
    expect(ws.sent).toHaveLength(1);
    ws.bufferedAmount = WS_LOW_WATER_BYTES - 1;
    vi.advanceTimersByTime(DRAIN_POLL_MS);
    expect(paused).toEqual([true, false]);
  });

  it('gives up on a browser that never reads once the queue is full', () => {
    ws.bufferedAmount = WS_HIGH_WATER_BYTES * 10;
    for (let i = 0; i <= MAX_PENDING_EVENTS; i++) outbox.push(event(i));
    expect(overflowed).toBe(1);
    outbox.push(event(-1));
    vi.advanceTimersByTime(DRAIN_POLL_MS * 10);
    expect(ws.sent).toEqual([]);
  });

  it('holds replies too while the browser is behind, and sends them in order once it drains', () => {
    ws.bufferedAmount = WS_HIGH_WATER_BYTES;
    outbox.push(event(0));
    outbox.send({ type: 'ok', id: 1 });
    outbox.push(event(1));
    outbox.send({ type: 'ok', id: 2 });
    expect(ws.sent).toEqual([]);
    ws.bufferedAmount = 0;
    vi.advanceTimersByTime(DRAIN_POLL_MS);
    expect(ws.sent.map((m) => m.type)).toEqual(['events', 'ok', 'events', 'ok']);
  });

  it(`drops a browser that reads no replies once ${MAX_PENDING_REPLIES} wait`, () => {
    ws.bufferedAmount = WS_HIGH_WATER_BYTES * 10;
    for (let id = 0; id < MAX_PENDING_REPLIES; id++) outbox.send({ type: 'ok', id });
    expect(overflowed).toBe(0);
    outbox.send({ type: 'ok', id: MAX_PENDING_REPLIES });
    expect(overflowed).toBe(1);
    ws.bufferedAmount = 0;
    vi.advanceTimersByTime(DRAIN_POLL_MS * 10);
    expect(ws.sent).toEqual([]);
  });

  it('keeps one timer, however often it is flushed while the browser is behind', () => {
    ws.bufferedAmount = WS_HIGH_WATER_BYTES;
    outbox.push(event(0));
    for (let i = 0; i < 8000; i++) outbox.flush();
    expect(vi.getTimerCount()).toBe(1);
  });
});
