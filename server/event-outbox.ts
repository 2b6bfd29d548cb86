import type { WebSocket } from 'ws';
import type { SocketEvent } from '../src/protocol/events.ts';
import type { CapturedSegment } from '../src/protocol/segments.ts';
import type { ServerMessage } from '../src/protocol/messages.ts';
import {
  DRAIN_POLL_MS,
  EVENT_FLUSH_MS,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PENDING_EVENTS,
  MAX_PENDING_REPLIES,
  WS_HIGH_WATER_BYTES,
  WS_LOW_WATER_BYTES,
} from './limits.ts';
import { realScheduler, type Scheduler, type TimerHandle } from './scheduler.ts';

export type OutboxHooks = {
  /** The browser is behind: stop reading from sockets (true) or go on (false). */
  onBackpressure: (paused: boolean) => void;
  /** The browser has stopped reading altogether and the queue is full. */
  onOverflow: () => void;
};

/**
 * Everything a session sends its browser goes through here: events and captured segments in
 * batches, at most one message per flush interval, and replies in order after the events that came
 * before them. Nothing is handed to the WebSocket while its own queue is long; meanwhile sockets
 * stop reading, and a browser that stops reading altogether is dropped once its backlog is full, so
 * memory stays bounded whatever the browser does.
 */
export class EventOutbox {
  readonly #ws: WebSocket;
  readonly #hooks: OutboxHooks;
  #queue: SocketEvent[] = [];
  #segments: CapturedSegment[] = [];
  /** Serialized messages, in sending order, held while the WebSocket's queue is long. */
  #held: string[] = [];
  /** Events and segments inside #held, so the backlog counts them too. */
  #heldEvents = 0;
  readonly #scheduler: Scheduler;
  #timer: TimerHandle | undefined;
  #immediate: NodeJS.Immediate | undefined;
  /** The scheduler's time of the last flush that sent events: the first event after a quiet spell goes at once. */
  #lastFlush = Number.NEGATIVE_INFINITY;
  #paused = false;
  #closed = false;

  constructor(ws: WebSocket, hooks: OutboxHooks, scheduler: Scheduler = realScheduler) {
    this.#ws = ws;
    this.#hooks = hooks;
    this.#scheduler = scheduler;
  }

  push(event: SocketEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    if (!this.#checkBacklog()) return;
    this.#scheduleEvents();
  }

  /** Captured segments travel like events: batched, and held while the browser is behind. */
  pushSegment(segment: CapturedSegment): void {
    if (this.#closed) return;
    this.#segments.push(segment);
    if (!this.#checkBacklog()) return;
    this.#scheduleEvents();
  }

  /** Sends a reply as soon as the browser keeps up, after the events that came before it. */
  send(message: ServerMessage): void {
    if (this.#closed) return;
    this.#holdPendingEvents();
    this.#held.push(JSON.stringify(message));
    if (this.#held.length > MAX_PENDING_REPLIES) {
      this.#overflow();
      return;
    }
    this.flush();
  }

  flush(): void {
    this.#cancelTimer();
    if (this.#closed) return;
    while (this.#held.length > 0 && this.#ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
      const message = this.#held.shift() as string;
      this.#ws.send(message);
    }
    if (this.#held.length === 0) {
      this.#heldEvents = 0;
      if (this.#queue.length + this.#segments.length > 0) this.#lastFlush = this.#scheduler.now();
      while (this.#queue.length > 0 && this.#ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
        this.#ws.send(this.#eventBatch());
      }
      while (this.#segments.length > 0 && this.#ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
        this.#ws.send(this.#segmentBatch());
      }
    }
    this.#updatePressure();
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    this.#queue = [];
    this.#segments = [];
    this.#held = [];
  }

  #eventBatch(): string {
    const events = this.#queue.slice(0, MAX_EVENTS_PER_MESSAGE);
    this.#queue = this.#queue.slice(events.length);
    return JSON.stringify({ type: 'events', events } satisfies ServerMessage);
  }

  #segmentBatch(): string {
    const segments = this.#segments.slice(0, MAX_EVENTS_PER_MESSAGE);
    this.#segments = this.#segments.slice(segments.length);
    return JSON.stringify({ type: 'segments', segments } satisfies ServerMessage);
  }

  /** A reply must not overtake the events before it, so those are serialized ahead of it. */
  #holdPendingEvents(): void {
    this.#heldEvents += this.#queue.length + this.#segments.length;
    while (this.#queue.length > 0) this.#held.push(this.#eventBatch());
    while (this.#segments.length > 0) this.#held.push(this.#segmentBatch());
  }

  #checkBacklog(): boolean {
    if (this.#queue.length + this.#segments.length + this.#heldEvents <= MAX_PENDING_EVENTS) return true;
    this.#overflow();
    return false;
  }

  #overflow(): void {
    this.close();
    this.#hooks.onOverflow();
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
    const waiting = this.#held.length > 0 || this.#queue.length > 0 || this.#segments.length > 0;
    if (this.#paused || waiting) this.#schedule(DRAIN_POLL_MS);
  }

  /**
   * Light traffic goes out at once: the first event after a quiet spell is sent as soon as the
   * work of this turn of the event loop is done (setImmediate, so a read and the write it causes
   * still travel together). Under load, at most one message per EVENT_FLUSH_MS.
   */
  #scheduleEvents(): void {
    if (this.#timer !== undefined || this.#immediate !== undefined) return;
    const wait = this.#lastFlush + EVENT_FLUSH_MS - this.#scheduler.now();
    if (wait <= 0) this.#immediate = setImmediate(() => this.flush());
    else this.#schedule(wait);
  }

  #schedule(delay: number): void {
    if (this.#timer === undefined) this.#timer = this.#scheduler.setTimeout(() => this.flush(), delay);
  }

  #cancelTimer(): void {
    this.#scheduler.clear(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}
