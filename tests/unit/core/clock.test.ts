import { describe, expect, it } from 'vitest';
import { advanceBy, advanceTo, clockAt, millis, seconds } from '../../../src/core/clock.ts';

describe('clock', () => {
  it('moves only when told, in microseconds', () => {
    const c = clockAt();
    expect(c.now).toBe(0);
    expect(advanceBy(c, millis(1.5)).now).toBe(1500);
    expect(advanceTo(c, seconds(2)).now).toBe(2_000_000);
  });

  it('refuses to go backwards and keeps identity when not moving', () => {
    const c = clockAt(10);
    expect(() => advanceTo(c, 9)).toThrow(RangeError);
    expect(advanceTo(c, 10)).toBe(c);
  });
});
