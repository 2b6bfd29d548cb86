/**
 * Seeded PRNG (mulberry32). The whole generator state is one uint32, so a world
 * can store it as plain data and a trace can be replayed or forked from any step.
 */
export type RngState = number;

export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** The state after the draws made so far; createRng(state) continues the same stream. */
  state(): RngState;
};

export function seedRng(seed: number): RngState {
  return seed >>> 0;
}

export function createRng(initial: RngState): Rng {
  let s = initial >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    // Skip the draw for certain outcomes so a lossless run's stream does not depend on traffic.
    chance: (p) => (p <= 0 ? false : p >= 1 ? true : next() < p),
    state: () => s,
  };
}
