/**
 * Simulated time. Models never read a wall clock: the caller owns a Clock and
 * moves it forward, so the same inputs always produce the same trace.
 */
export type Micros = number;

export type Clock = { readonly now: Micros };

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_SECOND = 1_000_000;

export function clockAt(now: Micros = 0): Clock {
  return { now };
}

export function advanceTo(clock: Clock, at: Micros): Clock {
  if (at < clock.now) throw new RangeError(`time cannot go backwards: ${at} < ${clock.now}`);
  return at === clock.now ? clock : { now: at };
}

export function advanceBy(clock: Clock, delta: Micros): Clock {
  return advanceTo(clock, clock.now + delta);
}

export function seconds(s: number): Micros {
  return Math.round(s * MICROS_PER_SECOND);
}

export function millis(ms: number): Micros {
  return Math.round(ms * MICROS_PER_MS);
}
