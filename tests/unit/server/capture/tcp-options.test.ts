import { describe, expect, it } from 'vitest';
import { parseTcpOptions } from '../../../../server/capture/tcp-options.ts';

const MSS = [2, 4, 0xff, 0xd7];
const SACK_PERMITTED = [4, 2];
const TIMESTAMPS = [8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
const WINDOW_SCALE = [3, 3, 7];

function read(...bytes: number[]) {
  return parseTcpOptions(Uint8Array.from(bytes));
}

describe('parseTcpOptions', () => {
  it('reads the options of a Linux SYN', () => {
    expect(read(...MSS, ...SACK_PERMITTED, ...TIMESTAMPS, 1, ...WINDOW_SCALE)).toEqual({
      mss: 65495,
      sackPermitted: true,
      timestamps: { tsval: 1, tsecr: 0xffffffff },
      windowScale: 7,
    });
  });

  it('returns nothing for an empty area or one of padding', () => {
    expect(read()).toEqual({});
    expect(read(1, 1, 1, 1)).toEqual({});
  });

  it('stops at end-of-list even if bytes follow', () => {
    expect(read(...MSS, 0, ...WINDOW_SCALE)).toEqual({ mss: 65495 });
  });

  it('steps over SACK blocks and unknown kinds by their length', () => {
    expect(read(1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 4, 9, 9, ...WINDOW_SCALE)).toEqual({ windowScale: 7 });
  });

  it('ignores a known kind whose length is wrong but keeps reading', () => {
    expect(read(2, 3, 0xff, ...WINDOW_SCALE)).toEqual({ windowScale: 7 });
  });

  it('stops at a length below 2, keeping what came before', () => {
    expect(read(...MSS, 8, 0, ...WINDOW_SCALE)).toEqual({ mss: 65495 });
    expect(read(...MSS, 3, 1, 7)).toEqual({ mss: 65495 });
  });

  it('stops at an option that runs past the area or has no length byte', () => {
    expect(read(...MSS, 8, 10, 0, 0)).toEqual({ mss: 65495 });
    expect(read(...SACK_PERMITTED, 2)).toEqual({ sackPermitted: true });
  });

  it('reads only inside the view it is given, even one into a larger buffer', () => {
    const buffer = Uint8Array.from([...MSS, 8, 10, ...TIMESTAMPS.slice(2), 0xaa]);
    expect(parseTcpOptions(buffer.subarray(0, 8))).toEqual({ mss: 65495 });
  });
});
