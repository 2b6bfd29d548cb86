import { describe, expect, it } from 'vitest';
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqSub } from '../../../../src/core/tcp/index.ts';

const MAX = 2 ** 32 - 1;

describe('sequence arithmetic modulo 2^32', () => {
  it('adds and subtracts across the wrap', () => {
    expect(seqAdd(MAX, 1)).toBe(0);
    expect(seqAdd(MAX - 2, 10)).toBe(7);
    expect(seqAdd(3, -5)).toBe(MAX - 1);
    expect(seqSub(7, MAX - 2)).toBe(10);
    expect(seqSub(0, MAX)).toBe(1);
    expect(seqDiff(MAX, 0)).toBe(-1);
    expect(seqDiff(0, MAX)).toBe(1);
  });

  it('compares by signed distance, so numbers just past 0 are greater than numbers just below 2^32', () => {
    expect(seqLt(MAX, 0)).toBe(true);
    expect(seqGt(0, MAX)).toBe(true);
    expect(seqLt(MAX - 100, 50)).toBe(true);
    expect(seqLe(5, 5)).toBe(true);
    expect(seqGe(5, 5)).toBe(true);
    expect(seqLt(5, 5)).toBe(false);
    // Half the space away is the limit of "after".
    expect(seqGt(2 ** 31 - 1, 0)).toBe(true);
    expect(seqGt(2 ** 31 + 1, 0)).toBe(false);
  });

  it('tests windows that straddle the wrap (RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND)', () => {
    const rcvNxt = MAX - 9;
    expect(seqInWindow(MAX - 9, rcvNxt, 20)).toBe(true);
    expect(seqInWindow(0, rcvNxt, 20)).toBe(true);
    expect(seqInWindow(9, rcvNxt, 20)).toBe(true);
    expect(seqInWindow(10, rcvNxt, 20)).toBe(false);
    expect(seqInWindow(MAX - 10, rcvNxt, 20)).toBe(false);
    expect(seqInWindow(rcvNxt, rcvNxt, 0)).toBe(false);
  });
});
