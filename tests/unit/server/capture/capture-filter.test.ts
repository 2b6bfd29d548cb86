import { describe, expect, it } from 'vitest';
import { captureFilter } from '../../../../server/capture/capture-filter.ts';

describe('captureFilter', () => {
  it('builds a TCP filter from the ports alone', () => {
    expect(captureFilter([40211])).toBe('tcp and (port 40211)');
    expect(captureFilter([40211, 51234])).toBe('tcp and (port 40211 or port 51234)');
    expect(captureFilter([1, 65535, 1])).toBe('tcp and (port 1 or port 65535)');
  });

  it('refuses an empty list rather than capture every connection', () => {
    expect(() => captureFilter([])).toThrow('a capture needs at least one port');
  });

  it.each([0, 65536, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses port %s', (port) => {
    expect(() => captureFilter([40211, port])).toThrow(RangeError);
  });

  it('refuses anything that is not a number, whatever the types said', () => {
    const smuggled = ['22 or host 10.0.0.1', '80', null, undefined, 8080n] as unknown as number[];
    for (const port of smuggled) expect(() => captureFilter([port])).toThrow('a capture port must be an integer from 1 to 65535');
  });
});
