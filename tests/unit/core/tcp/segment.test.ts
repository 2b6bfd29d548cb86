import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../../src/core/tcp/index.ts';
import { flags, formatSegment, seqSpace } from '../../../../src/core/tcp/index.ts';

const base: Segment = {
  id: 1,
  from: 'client',
  srcPort: 50000,
  dstPort: 65432,
  seq: 1000,
  ack: 0,
  flags: flags('SYN'),
  window: 65535,
  options: { mss: 1460, windowScale: 7, sackPermitted: true, timestamps: { tsval: 111, tsecr: 0 } },
  payload: '',
  len: 0,
};
const rel = { relativeTo: { client: 1000, server: 5000 } };

describe('formatSegment', () => {
  it('labels a SYN like Wireshark, with relative sequence numbers', () => {
    expect(formatSegment(base, rel)).toBe('SYN Seq=0 Win=65535 Len=0 MSS=1460 WS=128 SACK_PERM TSval=111 TSecr=0');
  });

  it('shows absolute numbers without an ISN to subtract', () => {
    expect(formatSegment(base)).toBe('SYN Seq=1000 Win=65535 Len=0 MSS=1460 WS=128 SACK_PERM TSval=111 TSecr=0');
  });

  it('orders flags as Wireshark does and shows Ack only with the ACK flag', () => {
    const synAck: Segment = { ...base, from: 'server', srcPort: 65432, dstPort: 50000, seq: 5000, ack: 1001, flags: flags('ACK', 'SYN'), options: { mss: 1460 } };
    expect(formatSegment(synAck, rel)).toBe('SYN, ACK Seq=0 Ack=1 Win=65535 Len=0 MSS=1460');
    const data: Segment = { ...base, seq: 1001, ack: 5001, flags: flags('PSH', 'ACK'), window: 502, options: {}, payload: 'hello', len: 5 };
    expect(formatSegment(data, rel)).toBe('PSH, ACK Seq=1 Ack=1 Win=502 Len=5');
    expect(formatSegment(data, { ...rel, windowShift: { client: 7 } })).toBe('PSH, ACK Seq=1 Ack=1 Win=64256 Len=5');
    expect(formatSegment({ ...data, flags: flags('ACK', 'FIN'), payload: '', len: 0 }, rel)).toBe('FIN, ACK Seq=1 Ack=1 Win=502 Len=0');
    expect(formatSegment({ ...data, flags: flags('RST', 'ACK'), payload: '', len: 0, window: 0 }, rel)).toBe('RST, ACK Seq=1 Ack=1 Win=0 Len=0');
    expect(formatSegment({ ...data, flags: flags('RST'), payload: '', len: 0, window: 0 }, rel)).toBe('RST Seq=1 Win=0 Len=0');
  });

  it('wraps relative numbers modulo 2^32', () => {
    const wrapped: Segment = { ...base, seq: 5, flags: flags('ACK'), ack: 5001, options: {} };
    expect(formatSegment(wrapped, { relativeTo: { client: 2 ** 32 - 5, server: 5000 } })).toBe('ACK Seq=10 Ack=1 Win=65535 Len=0');
  });

  it('counts SYN and FIN in sequence space but not in len', () => {
    expect(seqSpace(base)).toBe(1);
    expect(seqSpace({ len: 5, flags: flags('FIN', 'ACK') })).toBe(6);
  });
});
