import { describe, expect, it } from 'vitest';
import { EventStore } from '../../../src/client/event-store.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';

const event = (seq: number, kind: SocketEvent['kind'] = 'read'): SocketEvent => ({
  seq,
  t: seq,
  kind,
  socket: 's2',
  role: 'server',
  origin: 'sandbox',
});

describe('EventStore', () => {
  it('keeps every event of a long session, the structural ones first among them', () => {
    const frames: (() => void)[] = [];
    const store = new EventStore((callback) => frames.push(callback));
    store.add([event(0, 'listen'), event(1, 'accept')]);
    const kept = store.events;
    for (let batch = 0; batch < 200; batch++) store.add(Array.from({ length: 100 }, (_, i) => event(2 + batch * 100 + i)));
    expect(store.events).toHaveLength(20_002);
    expect(store.events.slice(0, 2).map((e) => e.kind)).toEqual(['listen', 'accept']);
    // The same array, grown: a reader takes up where it left off.
    expect(store.events).toBe(kept);
  });

  it('tells its listeners once a frame, with what arrived in it', () => {
    const frames: (() => void)[] = [];
    const store = new EventStore((callback) => frames.push(callback));
    const heard: number[] = [];
    store.subscribe((_all, added) => heard.push(added.events.length));
    store.add([event(0)]);
    store.add([event(1), event(2)]);
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    expect(heard).toEqual([3]);
  });

  it('starts a new session with new arrays', () => {
    const store = new EventStore(() => undefined);
    store.add([event(0)]);
    const old = store.events;
    store.clear();
    expect(store.events).not.toBe(old);
    expect(store.events).toEqual([]);
  });
});
