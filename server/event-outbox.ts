import type { WebSocket } from 'ws';
import type { SocketEvent } from '../src/protocol/events.ts';
import type { CapturedSegment } from '../src/protocol/segments.ts';
import type { ServerMessage } from '../src/protocol/messages.ts';
import {
  DRAIN_POLL_MS,
  EVENT_FLUSH_MS,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PENDING_EVENTS,
  WS_HIGH_WATER_BYTES,
  WS_LOW_WATER_BYTES,
} from './limits.ts';

export type OutboxHooks = {
  /** The browser is behind: stop reading from sockets (true) or go on (false). */
  onBackpressure: (paused: boolean) => void;
  /** The browser has stopped reading altogether and the queue is full. */
  onOverflow: () => void;
};

/**
 * Gathers a session's events and sends them in batches, at most one message per flush interval,
 * and only while the WebSocket's own queue is short. While it is long, sockets stop reading, so
 * memory stays bounded for a browser that stops reading.
 */
export class EventOutbox {
  readonly #ws: WebSocket;
  readonly #hooks: OutboxHooks;
  #queue: SocketEvent[] = [];
  #segments: CapturedSegment[] = [];
  #timer: NodeJS.Timeout | undefined;
  #paused = false;
  #closed = false;

  constructor(ws: WebSocket, hooks: OutboxHooks) {
    this.#ws = ws;
    this.#hooks = hooks;
  }

  push(event: SocketEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    if (this.#queue.length > MAX_PENDING_EVENTS) {
      this.#closed = true;
      this.#hooks.onOverflow();
      return;
    }
    this.#schedule(EVENT_FLUSH_MS);
  }

  /** Captured segments travel like events: batched, and held while the browser is behind. */
  pushSegment(segment: CapturedSegment): void {
    if (this.#closed) return;
    this.#segments.push(segment);
    if (this.#queue.length + this.#segments.length > MAX_PENDING_EVENTS) {
      this.#closed = true;
      this.#hooks.onOverflow();
      return;
    }
    this.#schedule(EVENT_FLUSH_MS);
  }

  /** Sends a reply right away, after the events that came before it. */
  send(message: ServerMessage): void {
    if (this.#closed) return;
    this.flush();
    this.#ws.send(JSON.stringify(message));
  }

  flush(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    while (this.#queue.length > 0 && this.#ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
      const events = this.#queue.slice(0, MAX_EVENTS_PER_MESSAGE);
      this.#queue = this.#queue.slice(events.length);
      this.#ws.send(JSON.stringify({ type: 'events', events } satisfies ServerMessage));
    }
    while (this.#segments.length > 0 && this.#ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
      const segments = this.#segments.slice(0, MAX_EVENTS_PER_MESSAGE);
      this.#segments = this.#segments.slice(segments.length);
      this.#ws.send(JSON.stringify({ type: 'segments', segments } satisfies ServerMessage));
    }
    this.#updatePressure();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#segments = [];
  }

  #updatePressure(): void {
    const buffered = this.#ws.bufferedAmount;
    if (!this.#paused && buffered >= WS_HIGH_WATER_BYTES) {
      this.#paused = true;
      this.#hooks.onBackpressure(true);
    } else if (this.#paused && buffered < WS_LOW_WATER_BYTES) {
      this.#paused = false;
      this.#hooks.onBackpressure(false);
    }
    if (this.#paused || this.#queue.length > 0 || this.#segments.length > 0) this.#schedule(DRAIN_POLL_MS);
  }

  #schedule(delay: number): void {
    if (this.#timer === undefined) this.#timer = setTimeout(() => this.flush(), delay);
  }
}
