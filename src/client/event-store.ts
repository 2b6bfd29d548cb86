import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';

/** Events (and captured segments) a page keeps for drawing; an hours-long session keeps its most recent ones. */
export const MAX_STORED_EVENTS = 5000;

export type SessionRecord = { events: readonly SocketEvent[]; segments: readonly CapturedSegment[] };

export type EventListener = (all: SessionRecord, added: SessionRecord) => void;

function capped<T>(items: T[]): { kept: T[]; dropped: number } {
  const excess = Math.max(0, items.length - MAX_STORED_EVENTS);
  return { kept: excess === 0 ? items : items.slice(excess), dropped: excess };
}

/**
 * The session's events and captured segments, in arrival order. Listeners hear about new ones once
 * per animation frame, however many messages arrived in it.
 */
export class EventStore {
  #events: SocketEvent[] = [];
  #segments: CapturedSegment[] = [];
  #added: { events: SocketEvent[]; segments: CapturedSegment[] } = { events: [], segments: [] };
  #listeners = new Set<EventListener>();
  #scheduled = false;
  #dropped = 0;
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

  /** How many of the oldest events and segments were let go to stay under MAX_STORED_EVENTS each. */
  get dropped(): number {
    return this.#dropped;
  }

  add(events: readonly SocketEvent[]): void {
    const { kept, dropped } = capped([...this.#events, ...events]);
    this.#events = kept;
    this.#dropped += dropped;
    this.#added.events.push(...events);
    this.#notify();
  }

  addSegments(segments: readonly CapturedSegment[]): void {
    const { kept, dropped } = capped([...this.#segments, ...segments]);
    this.#segments = kept;
    this.#dropped += dropped;
    this.#added.segments.push(...segments);
    this.#notify();
  }

  clear(): void {
    this.#events = [];
    this.#segments = [];
    this.#added = { events: [], segments: [] };
    this.#dropped = 0;
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
