/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Comparisons are
 * defined on the signed 32-bit distance, so "a < b" holds when b lies less than
 * 2^31 ahead of a, across the wrap from 2^32-1 to 0.
 */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Bytes from b forward to a (a - b mod 2^32), always in [0, 2^32). */
export function seqSub(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** Signed distance from b to a: negative when a is before b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

/** start <= x < start + size, the shape of every window test in §3.10.7.4. */
export function seqInWindow(x: number, start: number, size: number): boolean {
  return seqSub(x, start) < size;
}
