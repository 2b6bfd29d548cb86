/**
 * The server's time, injected like the core's Clock: every timeout and cap that depends on time
 * reads `now()` and sets its timers here, so a test can hand a real server a ManualScheduler and
 * move time itself instead of waiting for it.
 */
/** What a scheduler's timer functions return: only the same scheduler's `clear` looks inside. */
export type TimerHandle = object;

export type Scheduler = {
  /** Milliseconds on a monotonic clock; only differences mean anything. */
  now: () => number;
  setTimeout: (run: () => void, ms: number) => TimerHandle;
  setInterval: (run: () => void, ms: number) => TimerHandle;
  /** Clears a timer of either kind; undefined is ignored, as the globals do. */
  clear: (handle: TimerHandle | undefined) => void;
};

/** Node's own clock and timers. The globals are looked up at each call so that vitest's fake timers still apply. */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  setInterval: (run, ms) => setInterval(run, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

type ManualTimer = { at: number; every: number | undefined; run: () => void };

/**
 * Time that moves only when `advance()` is called, firing each due timer at its own instant and in
 * order. Real I/O still happens on Node's event loop; only the server's clock is in the test's hands.
 */
export class ManualScheduler implements Scheduler {
  #now = 0;
  readonly #timers = new Set<ManualTimer>();
  readonly #armed: { delay: number; resolve: () => void }[] = [];

  now = (): number => this.#now;

  setTimeout = (run: () => void, ms: number): TimerHandle => this.#add(run, ms, undefined);

  setInterval = (run: () => void, ms: number): TimerHandle => this.#add(run, ms, Math.max(1, ms));

  clear = (handle: TimerHandle | undefined): void => {
    if (handle !== undefined) this.#timers.delete(handle as ManualTimer);
  };

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Settles as soon as a timer of `delay` ms is set, in the same turn of the event loop: a test can
   * then move time before any I/O that turn started (a connect() under way) completes.
   */
  armed(delay: number): Promise<void> {
    return new Promise((resolve) => this.#armed.push({ delay, resolve }));
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: ManualTimer | undefined;
      for (const timer of this.#timers) if (timer.at <= end && (due === undefined || timer.at < due.at)) due = timer;
      if (due === undefined) break;
      this.#now = due.at;
      if (due.every === undefined) this.#timers.delete(due);
      else due.at += due.every;
      due.run();
    }
    this.#now = end;
  }

  #add(run: () => void, ms: number, every: number | undefined): TimerHandle {
    const timer: ManualTimer = { at: this.#now + Math.max(0, ms), every, run };
    this.#timers.add(timer);
    for (const waiting of this.#armed.filter((entry) => entry.delay === ms)) {
      this.#armed.splice(this.#armed.indexOf(waiting), 1);
      waiting.resolve();
    }
    return timer;
  }
}
