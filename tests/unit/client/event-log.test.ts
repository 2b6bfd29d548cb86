import { describe, expect, it } from 'vitest';
import { countEvents, insertionPoint } from '../../../src/client/event-log.ts';

describe('event log', () => {
  it('places a late-arriving line by its time, after lines of the same time', () => {
    const times = [10, 20, 20, 30];
    expect(insertionPoint(times, 5)).toBe(0);
    expect(insertionPoint(times, 15)).toBe(1);
    expect(insertionPoint(times, 20)).toBe(3);
    expect(insertionPoint(times, 35)).toBe(4);
    expect(insertionPoint([], 1)).toBe(0);
  });

  it('counts in its header grammatically', () => {
    expect(countEvents(0)).toBe('0 events');
    expect(countEvents(1)).toBe('1 event');
    expect(countEvents(2)).toBe('2 events');
    expect(countEvents(12345)).toBe('12,345 events');
  });
});
