import { describe, expect, it } from 'vitest';
import { createRng, seedRng } from '../../../src/core/rng.ts';

describe('rng', () => {
  it('gives the same stream for the same seed', () => {
    const a = createRng(seedRng(42));
    const b = createRng(seedRng(42));
    const xs = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('can be forked from its serialised state', () => {
    const a = createRng(seedRng(7));
    a.next();
    a.next();
    const fork = createRng(a.state());
    expect(fork.int(1000)).toBe(a.int(1000));
    expect(fork.state()).toBe(a.state());
  });

  it('int stays in range and chance respects its bounds without drawing at 0 or 1', () => {
    const r = createRng(seedRng(1));
    for (let i = 0; i < 1000; i++) {
      const n = r.int(6);
      expect(Number.isInteger(n) && n >= 0 && n < 6).toBe(true);
    }
    const before = r.state();
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
    expect(r.state()).toBe(before);
    const hits = Array.from({ length: 10_000 }, () => r.chance(0.25)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2300);
    expect(hits).toBeLessThan(2700);
  });
});
