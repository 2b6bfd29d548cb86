import { describe, expect, it } from 'vitest';
import { parseProcNetTcp } from '../../../../server/lab/proc-net-tcp.ts';

const V4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9D53 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C7BE 0100007F:9D53 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000
   2: 0100007F:9D53 0100007F:C7BF 01 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 20 4 30 10 -1
garbage line
`;

const V6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431 08 00000000:00000000 00:00000000 00000000
`;

describe('parseProcNetTcp', () => {
  it('reads little-endian IPv4 addresses, hex ports and ss state names', () => {
    expect(parseProcNetTcp(V4)).toEqual([
      { local: '127.0.0.1:40275', remote: '0.0.0.0:0', state: 'LISTEN' },
      { local: '127.0.0.1:51134', remote: '127.0.0.1:40275', state: 'TIME-WAIT' },
      { local: '127.0.0.1:40275', remote: '127.0.0.1:51135', state: 'ESTAB' },
    ]);
  });

  it('reads IPv6, and IPv4-mapped IPv6 as plain IPv4', () => {
    expect(parseProcNetTcp(V6, true)).toEqual([
      { local: '[::1]:8080', remote: '[::]:0', state: 'LISTEN' },
      { local: '127.0.0.1:8080', remote: '127.0.0.1:54321', state: 'CLOSE-WAIT' },
    ]);
  });

  it('returns nothing for an empty file', () => {
    expect(parseProcNetTcp('')).toEqual([]);
  });
});
