import type { SocketEvent } from '../protocol/events.ts';

/** Events a page keeps for drawing; an hours-long session keeps its most recent ones. */
export const MAX_STORED_EVENTS = 5000;

export type EventListener = (events: readonly SocketEvent[], added: readonly SocketEvent[]) => void;

/**
 * The session's events in order. Listeners hear about new events once per animation frame,
 * however many messages arrived in it.
 */
export class EventStore {
  #events: SocketEvent[] = [];
  #added: SocketEvent[] = [];
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

  /** How many of the oldest events were let go to stay under MAX_STORED_EVENTS. */
  get dropped(): number {
    return this.#dropped;
  }

  add(events: readonly SocketEvent[]): void {
    this.#events.push(...events);
    this.#added.push(...events);
    if (this.#events.length > MAX_STORED_EVENTS) {
      const excess = this.#events.length - MAX_STORED_EVENTS;
      this.#events = this.#events.slice(excess);
      this.#dropped += excess;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      const added = this.#added;
      this.#added = [];
      for (const listener of this.#listeners) listener(this.#events, added);
    });
  }

  clear(): void {
    this.#events = [];
    this.#added = [];
    this.#dropped = 0;
    for (const listener of this.#listeners) listener(this.#events, []);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
