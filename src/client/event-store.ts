import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';

export type SessionRecord = { events: readonly SocketEvent[]; segments: readonly CapturedSegment[] };

export type EventListener = (all: SessionRecord, added: SessionRecord) => void;

/**
 * The session's events and captured segments, in arrival order, kept whole: the diagram never
 * loses a connection's lanes or handshake however long the session runs (the server's byte caps
 * bound how many there can be). The arrays only grow, so a reader can take up where it left off;
 * a new session gets new arrays. Listeners hear about new items once per animation frame, however
 * many messages arrived in it.
 */
export class EventStore {
  #events: SocketEvent[] = [];
  #segments: CapturedSegment[] = [];
  #added: { events: SocketEvent[]; segments: CapturedSegment[] } = { events: [], segments: [] };
  #listeners = new Set<EventListener>();
  #scheduled = false;
  readonly #schedule: (callback: () => void) => void;

  constructor(schedule: (callback: () => void) => void = (callback) => requestAnimationFrame(callback)) {
    this.#schedule = schedule;
  }

  get events(): readonly SocketEvent[] {
    return this.#events;
  }

  get segments(): readonly CapturedSegment[] {
    return this.#segments;
  }

  add(events: readonly SocketEvent[]): void {
    // A loop, not push(...events): a spread of a very large batch would overflow the call stack.
    for (const event of events) {
      this.#events.push(event);
      this.#added.events.push(event);
    }
    this.#notify();
  }

  addSegments(segments: readonly CapturedSegment[]): void {
    for (const segment of segments) {
      this.#segments.push(segment);
      this.#added.segments.push(segment);
    }
    this.#notify();
  }

  clear(): void {
    this.#events = [];
    this.#segments = [];
    this.#added = { events: [], segments: [] };
    for (const listener of this.#listeners) listener(this.#record(), { events: [], segments: [] });
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(): SessionRecord {
    return { events: this.#events, segments: this.#segments };
  }

  #notify(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      const added = this.#added;
      this.#added = { events: [], segments: [] };
      for (const listener of this.#listeners) listener(this.#record(), added);
    });
  }
}
