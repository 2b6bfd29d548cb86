import type { CapturedSegment } from '../../src/protocol/segments.ts';

export type TcpOptions = CapturedSegment['options'];

const END_OF_LIST = 0;
const NO_OPERATION = 1;
const MSS = 2;
const WINDOW_SCALE = 3;
const SACK_PERMITTED = 4;
const TIMESTAMPS = 8;

/**
 * Reads the options area of a TCP header (the bytes between the fixed 20 and the data offset).
 * Options a learner sees in a handshake are kept; SACK blocks and unknown kinds are stepped over.
 * A length that is impossible or runs past the area ends the reading: what came before it stands.
 */
export function parseTcpOptions(area: Uint8Array): TcpOptions {
  const view = new DataView(area.buffer, area.byteOffset, area.byteLength);
  const options: TcpOptions = {};
  let at = 0;
  while (at < area.length) {
    const kind = view.getUint8(at);
    if (kind === END_OF_LIST) break;
    if (kind === NO_OPERATION) {
      at += 1;
      continue;
    }
    if (at + 1 >= area.length) break;
    const length = view.getUint8(at + 1);
    if (length < 2 || at + length > area.length) break;
    if (kind === MSS && length === 4) options.mss = view.getUint16(at + 2, false);
    else if (kind === WINDOW_SCALE && length === 3) options.windowScale = view.getUint8(at + 2);
    else if (kind === SACK_PERMITTED && length === 2) options.sackPermitted = true;
    else if (kind === TIMESTAMPS && length === 10) {
      options.timestamps = { tsval: view.getUint32(at + 2, false), tsecr: view.getUint32(at + 6, false) };
    }
    at += length;
  }
  return options;
}
