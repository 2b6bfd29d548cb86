/** A token bucket: `rate` tokens a second, at most `burst` saved up, on the clock it is given (ms). */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: { now: () => number };
  #tokens: number;
  #last: number;

  constructor(rate: number, burst: number, clock: { now: () => number }) {
    this.#rate = rate;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  take(): boolean {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
