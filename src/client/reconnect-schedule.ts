/** The first wait before the lab opens a new sandbox by itself; each failed try doubles it. */
export const RETRY_FIRST_MS = 1000;

/** The longest wait between tries: a restarted server is found within this. */
export const RETRY_MAX_MS = 30 * 1000;

/**
 * Up to this share of each wait is taken off at random, so the pages one server restart cut off
 * do not all come back in the same instant.
 */
export const RETRY_JITTER = 0.2;

/** The wait before try number `attempt` (0 for the first), given a random number in [0, 1). */
export function retryDelay(attempt: number, random: () => number): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
  return Math.round(base * (1 - RETRY_JITTER * random()));
}

export type RetryTimers = {
  set: (run: () => void, ms: number) => number;
  clear: (handle: number) => void;
};

/** Where the schedule stands, for the lab to say. */
export type RetryState =
  | { kind: 'idle' }
  | { kind: 'waiting'; delayMs: number }
  /** Lost, but the page is hidden: nothing is tried until it is visible again. */
  | { kind: 'paused' };

export type ReconnectOptions = {
  open: () => void;
  timers: RetryTimers;
  random: () => number;
  visible: () => boolean;
  onChange: (state: RetryState) => void;
};

/**
 * Opens a new sandbox by itself after the old one is lost, waiting longer after each failed try,
 * and only while the page is visible: a hidden tab does not knock on a server that may be full.
 */
export class ReconnectSchedule {
  readonly #options: ReconnectOptions;
  #attempt = 0;
  #lost = false;
  #stopped = false;
  #timer: number | undefined;

  constructor(options: ReconnectOptions) {
    this.#options = options;
  }

  /** The sandbox closed, or a try failed: wait, then try again. */
  lost(): void {
    if (this.#stopped) return;
    this.#lost = true;
    this.#schedule();
  }

  /** A sandbox opened: nothing to retry, and the next loss starts from the first wait. */
  opened(): void {
    this.#lost = false;
    this.#attempt = 0;
    this.#cancel();
    this.#options.onChange({ kind: 'idle' });
  }

  /** The learner asked (the Reconnect button, `reconnect`): try at once. */
  now(): void {
    this.#stopped = false;
    this.#cancel();
    this.#options.open();
  }

  /** The page was shown or hidden. A learner coming back to a lost sandbox gets a try at once. */
  visibilityChanged(): void {
    if (!this.#lost) return;
    if (this.#options.visible()) {
      if (this.#timer === undefined) this.now();
    } else {
      this.#cancel();
      this.#options.onChange({ kind: 'paused' });
    }
  }

  /** The page is going away and closes its sandbox itself: no tries until asked again. */
  stop(): void {
    this.#stopped = true;
    this.#lost = false;
    this.#cancel();
  }

  #schedule(): void {
    this.#cancel();
    if (!this.#options.visible()) return this.#options.onChange({ kind: 'paused' });
    const delayMs = retryDelay(this.#attempt, this.#options.random);
    this.#attempt += 1;
    this.#timer = this.#options.timers.set(() => {
      this.#timer = undefined;
      this.#options.open();
    }, delayMs);
    this.#options.onChange({ kind: 'waiting', delayMs });
  }

  #cancel(): void {
    if (this.#timer === undefined) return;
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
