import { describe, expect, it } from 'vitest';
import { parseTcpPacket, type ParsedTcp } from '../../../../server/capture/packet-parser.ts';
import { capturedSegment } from '../../../../src/protocol/segments.ts';
import { fixtureRecords, fixtureSegments } from './fixture-pcaps.ts';

const ETHERNET = 1;
const NO_FLAGS = { SYN: false, ACK: false, FIN: false, RST: false, PSH: false };
const SYN_OPTIONS = { mss: 65495, sackPermitted: true, windowScale: 10 };

/** The client's "hello\n" in ipv4-echo.pcap: Ethernet (14) + IPv4 (20) + TCP with timestamps (32) + 6 bytes. */
const ipv4Records = fixtureRecords('ipv4-echo.pcap');
const ipv4Data = ipv4Records[3]?.data ?? new Uint8Array(0);
const ipv4Syn = ipv4Records[0]?.data ?? new Uint8Array(0);
const ipv6Data = fixtureRecords('ipv6-echo.pcap')[3]?.data ?? new Uint8Array(0);

function bytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** A copy of a frame with some bytes replaced. */
function patched(frame: Uint8Array, changes: Record<number, number>): Uint8Array {
  const copy = frame.slice();
  for (const [at, value] of Object.entries(changes)) copy[Number(at)] = value;
  return copy;
}

function parsed(linkType: number, frame: Uint8Array): ParsedTcp {
  const result = parseTcpPacket(linkType, frame);
  if (result === undefined || 'error' in result) throw new Error(`expected a segment, got ${JSON.stringify(result)}`);
  return result;
}

function errorOf(linkType: number, frame: Uint8Array): string {
  const result = parseTcpPacket(linkType, frame);
  if (result === undefined || !('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('parseTcpPacket on the IPv4 echo recorded on lo (Ethernet framing)', () => {
  const [syn, synAck, ack, hello, helloAck, echo, echoAck, clientFin, serverFin, lastAck] = fixtureSegments('ipv4-echo.pcap');
  const client = '127.0.0.1:55754';
  const server = '127.0.0.1:40211';

  it('reads the SYN with the options Linux offers', () => {
    expect(syn).toEqual({
      src: client,
      dst: server,
      seq: 2742587581,
      ack: 0,
      flags: { ...NO_FLAGS, SYN: true },
      window: 65495,
      options: { ...SYN_OPTIONS, timestamps: { tsval: 659114168, tsecr: 0 } },
      len: 0,
      preview: '',
    });
  });

  it('reads the SYN-ACK, which acknowledges the ISN plus one', () => {
    expect(synAck).toEqual({
      src: server,
      dst: client,
      seq: 3856254674,
      ack: 2742587582,
      flags: { ...NO_FLAGS, SYN: true, ACK: true },
      window: 65483,
      options: { ...SYN_OPTIONS, timestamps: { tsval: 1888713788, tsecr: 659114168 } },
      len: 0,
      preview: '',
    });
    expect(synAck?.ack).toBe((syn?.seq ?? 0) + 1);
  });

  it('reads the third segment of the handshake: a bare ACK with only timestamps', () => {
    expect(ack).toEqual({
      src: client,
      dst: server,
      seq: 2742587582,
      ack: 3856254675,
      flags: { ...NO_FLAGS, ACK: true },
      window: 64,
      options: { timestamps: { tsval: 659114168, tsecr: 1888713788 } },
      len: 0,
      preview: '',
    });
  });

  it('reads the data segment: six bytes, pushed, with an escaped preview', () => {
    expect(hello).toMatchObject({ src: client, dst: server, seq: 2742587582, ack: 3856254675, len: 6, preview: 'hello\\n' });
    expect(hello?.flags).toEqual({ ...NO_FLAGS, ACK: true, PSH: true });
    expect(helloAck).toMatchObject({ src: server, ack: 2742587588, len: 0 });
    expect(echo).toMatchObject({ src: server, dst: client, seq: 3856254675, len: 6, preview: 'hello\\n' });
    expect(echoAck).toMatchObject({ src: client, ack: 3856254681, len: 0 });
  });

  it('reads the close: FIN from each side, each acknowledged at its sequence number plus one', () => {
    expect(clientFin).toMatchObject({
      src: client,
      seq: 2742587588,
      ack: 3856254681,
      flags: { ...NO_FLAGS, ACK: true, FIN: true },
    });
    expect(serverFin).toMatchObject({
      src: server,
      seq: 3856254681,
      ack: 2742587589,
      flags: { ...NO_FLAGS, ACK: true, FIN: true },
    });
    expect(lastAck).toMatchObject({ src: client, seq: 2742587589, ack: 3856254682, flags: { ...NO_FLAGS, ACK: true } });
  });

  it('produces segments the protocol schema accepts once the caller adds t', () => {
    for (const name of [
      'ipv4-echo.pcap',
      'ipv6-echo.pcap',
      'ipv4-refused.pcap',
      'ipv4-echo-sll2.pcap',
      'ipv4-refused-nano.pcap',
    ]) {
      for (const segment of fixtureSegments(name))
        expect(capturedSegment.parse({ t: 0, ...segment })).toEqual({ t: 0, ...segment });
    }
  });
});

describe('parseTcpPacket on the other recordings', () => {
  it('writes IPv6 addresses bracketed, and reads the IPv6 MSS', () => {
    const [syn, synAck, ack, hello] = fixtureSegments('ipv6-echo.pcap');
    expect(syn).toEqual({
      src: '[::1]:42354',
      dst: '[::1]:40212',
      seq: 3658522554,
      ack: 0,
      flags: { ...NO_FLAGS, SYN: true },
      window: 65476,
      options: { mss: 65476, sackPermitted: true, windowScale: 10, timestamps: { tsval: 3002599481, tsecr: 0 } },
      len: 0,
      preview: '',
    });
    expect(synAck).toMatchObject({ src: '[::1]:40212', dst: '[::1]:42354', seq: 4280754029, ack: 3658522555 });
    expect(ack).toMatchObject({ seq: 3658522555, ack: 4280754030, len: 0 });
    expect(hello).toMatchObject({ len: 6, preview: 'hello\\n', flags: { ...NO_FLAGS, ACK: true, PSH: true } });
  });

  it('reads a connect to a closed port: SYN, then RST-ACK with sequence 0 acknowledging the ISN plus one', () => {
    const segments = fixtureSegments('ipv4-refused.pcap');
    expect(segments).toHaveLength(2);
    const [syn, reset] = segments;
    expect(syn).toMatchObject({
      src: '127.0.0.1:48290',
      dst: '127.0.0.1:40213',
      seq: 2342614320,
      flags: { ...NO_FLAGS, SYN: true },
    });
    expect(reset).toEqual({
      src: '127.0.0.1:40213',
      dst: '127.0.0.1:48290',
      seq: 0,
      ack: 2342614321,
      flags: { ...NO_FLAGS, RST: true, ACK: true },
      window: 0,
      options: {},
      len: 0,
      preview: '',
    });
  });

  it('reads Linux cooked v2 frames (tcpdump -i any) the same way as Ethernet ones', () => {
    const segments = fixtureSegments('ipv4-echo-sll2.pcap');
    expect(segments.map((segment) => segment.flags)).toEqual(fixtureSegments('ipv4-echo.pcap').map((segment) => segment.flags));
    expect(segments[0]).toMatchObject({ src: '127.0.0.1:39050', dst: '127.0.0.1:40214', seq: 51919110, options: SYN_OPTIONS });
    expect(segments[3]).toMatchObject({ len: 6, preview: 'hello\\n' });
  });
});

describe('parseTcpPacket link layers', () => {
  const ipPacket = ipv4Data.subarray(14);
  const expected = parsed(ETHERNET, ipv4Data);

  it.each([
    { name: 'NULL, host order little-endian', linkType: 0, frame: bytes([2, 0, 0, 0], ipPacket) },
    { name: 'NULL, big-endian', linkType: 0, frame: bytes([0, 0, 0, 2], ipPacket) },
    { name: 'LOOP', linkType: 108, frame: bytes([0, 0, 0, 2], ipPacket) },
    { name: 'RAW (101)', linkType: 101, frame: ipPacket },
    { name: 'RAW (12)', linkType: 12, frame: ipPacket },
    { name: 'RAW (14)', linkType: 14, frame: ipPacket },
    { name: 'LINUX_SLL', linkType: 113, frame: bytes([0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00], ipPacket) },
  ])('reads IPv4 under $name', ({ linkType, frame }) => {
    expect(parsed(linkType, frame)).toEqual(expected);
  });

  it.each([
    { name: 'NULL with Linux AF_INET6', linkType: 0, family: [10, 0, 0, 0] },
    { name: 'NULL with FreeBSD AF_INET6', linkType: 0, family: [28, 0, 0, 0] },
    { name: 'LOOP with macOS AF_INET6', linkType: 108, family: [0, 0, 0, 30] },
  ])('reads IPv6 under $name', ({ linkType, family }) => {
    expect(parsed(linkType, bytes(family, ipv6Data.subarray(14)))).toEqual(parsed(ETHERNET, ipv6Data));
  });

  it('passes over frames that do not carry IP', () => {
    expect(parseTcpPacket(ETHERNET, patched(ipv4Data, { 12: 0x08, 13: 0x06 }))).toBeUndefined();
    expect(parseTcpPacket(0, bytes([7, 0, 0, 0], ipPacket))).toBeUndefined();
    expect(parseTcpPacket(101, patched(ipPacket, { 0: 0x55 }))).toBeUndefined();
  });

  it('names a link type it does not read, and frames shorter than their link header', () => {
    expect(errorOf(9999, ipv4Data)).toBe('link-layer type 9999 is not one this parser reads');
    expect(errorOf(ETHERNET, ipv4Data.subarray(0, 13))).toBe('Ethernet header cut short: 13 of 14 bytes captured');
    expect(errorOf(276, ipv4Data.subarray(0, 19))).toBe('Linux cooked v2 header cut short: 19 of 20 bytes captured');
    expect(errorOf(113, new Uint8Array(0))).toBe('Linux cooked header cut short: 0 of 16 bytes captured');
    expect(errorOf(0, new Uint8Array(3))).toBe('Loopback header cut short: 3 of 4 bytes captured');
    expect(errorOf(101, new Uint8Array(0))).toBe('IP header cut short: 0 of 1 bytes captured');
  });
});

describe('parseTcpPacket IP', () => {
  it('passes over UDP and IPv4 fragments', () => {
    expect(parseTcpPacket(ETHERNET, patched(ipv4Data, { 23: 17 }))).toBeUndefined();
    expect(parseTcpPacket(ETHERNET, patched(ipv4Data, { 20: 0x20 }))).toBeUndefined();
    expect(parseTcpPacket(ETHERNET, patched(ipv4Data, { 20: 0x40, 21: 0x10 }))).toBeUndefined();
    expect(parsed(ETHERNET, patched(ipv4Data, { 20: 0x40, 21: 0x00 })).len).toBe(6);
  });

  it('skips IPv4 options by the header length', () => {
    const withOptions = bytes(ipv4Data.subarray(0, 34), [1, 1, 1, 0], ipv4Data.subarray(34));
    withOptions[14] = 0x46;
    withOptions[17] = (withOptions[17] ?? 0) + 4;
    expect(parsed(ETHERNET, withOptions)).toEqual(parsed(ETHERNET, ipv4Data));
  });

  it('steps over IPv6 hop-by-hop, routing and destination-options headers', () => {
    const hopByHop = [43, 0, 1, 4, 0, 0, 0, 0];
    const routing = [60, 0, 0, 0, 0, 0, 0, 0];
    const destination = [6, 1, 1, 12, ...new Array<number>(12).fill(0)];
    const frame = bytes(ipv6Data.subarray(0, 54), hopByHop, routing, destination, ipv6Data.subarray(54));
    const payloadLength = (frame[18] ?? 0) * 256 + (frame[19] ?? 0) + 32;
    frame[18] = payloadLength >> 8;
    frame[19] = payloadLength & 0xff;
    frame[20] = 0;
    expect(parsed(ETHERNET, frame)).toEqual(parsed(ETHERNET, ipv6Data));
  });

  it('passes over IPv6 fragments and packets with no next header', () => {
    expect(parseTcpPacket(ETHERNET, patched(ipv6Data, { 20: 44 }))).toBeUndefined();
    expect(parseTcpPacket(ETHERNET, patched(ipv6Data, { 20: 59 }))).toBeUndefined();
  });

  it('refuses an extension header longer than the payload it sits in', () => {
    const frame = patched(ipv6Data, { 20: 0, 55: 200 });
    expect(errorOf(ETHERNET, frame)).toBe('IPv6 extension header of 1608 bytes overruns the payload length');
  });

  it('names impossible IP headers', () => {
    expect(errorOf(ETHERNET, ipv4Data.subarray(0, 30))).toBe('IPv4 header cut short: 16 of 20 bytes captured');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 14: 0x44 }))).toBe('IPv4 header length 16 is below the minimum 20');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 14: 0x4f }))).toBe('IPv4 header cut short: 58 of 60 bytes captured');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 16: 0, 17: 10 }))).toBe(
      'IPv4 total length 10 is shorter than its own 20-byte header',
    );
    expect(errorOf(ETHERNET, patched(ipv4Data, { 14: 0x65 }))).toBe('expected IPv4, found IP version 6');
    expect(errorOf(ETHERNET, patched(ipv6Data, { 14: 0x40 }))).toBe('expected IPv6, found IP version 4');
    expect(errorOf(ETHERNET, ipv6Data.subarray(0, 50))).toBe('IPv6 header cut short: 36 of 40 bytes captured');
  });
});

describe('parseTcpPacket TCP header', () => {
  it('takes the payload length from IP, not from what was captured', () => {
    const cut = parsed(ETHERNET, ipv4Data.subarray(0, ipv4Data.length - 3));
    expect(cut).toMatchObject({ len: 6, preview: 'hel…' });
    const padded = parsed(ETHERNET, bytes(ipv4Data, [0, 0, 0, 0, 0, 0]));
    expect(padded).toMatchObject({ len: 6, preview: 'hello\\n' });
  });

  it('names a truncated or inconsistent TCP header', () => {
    expect(errorOf(ETHERNET, ipv4Data.subarray(0, 44))).toBe('TCP header cut short: 10 of 20 bytes captured');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 46: 0x40 }))).toBe('TCP data offset 16 is below the minimum 20');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 46: 0xf0 }))).toBe(
      'TCP header of 60 bytes is longer than the 38 bytes IP gives the segment',
    );
    expect(errorOf(ETHERNET, ipv4Data.subarray(0, 60))).toBe('TCP options cut short: 26 of 32 bytes captured');
    expect(errorOf(ETHERNET, patched(ipv4Data, { 16: 0, 17: 30 }))).toBe(
      'TCP header of 32 bytes is longer than the 10 bytes IP gives the segment',
    );
  });

  it('stops reading options at a length of 0 or 1 and keeps what came before', () => {
    // The SYN's options from byte 54: MSS (54), SACK-permitted (58), timestamps (60), NOP (70), window scale (71).
    expect(parsed(ETHERNET, patched(ipv4Syn, { 59: 0 })).options).toEqual({ mss: 65495 });
    expect(parsed(ETHERNET, patched(ipv4Syn, { 61: 1 })).options).toEqual({ mss: 65495, sackPermitted: true });
  });

  it('stops reading options at one that runs past the header', () => {
    expect(parsed(ETHERNET, patched(ipv4Syn, { 61: 30 })).options).toEqual({ mss: 65495, sackPermitted: true });
    expect(parsed(ETHERNET, patched(ipv4Syn, { 72: 4 })).options).toEqual({
      mss: 65495,
      sackPermitted: true,
      timestamps: { tsval: 659114168, tsecr: 0 },
    });
  });

  it('never throws on any truncation or any single corrupted byte of any recorded packet', () => {
    let state = 2024;
    const random = (below: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % below;
    };
    const names = ['ipv4-echo.pcap', 'ipv6-echo.pcap', 'ipv4-refused.pcap', 'ipv4-echo-sll2.pcap'];
    let checked = 0;
    for (const record of names.flatMap((name) => fixtureRecords(name))) {
      const frames = [
        ...Array.from({ length: record.data.length }, (_, end) => record.data.subarray(0, end)),
        ...Array.from({ length: 300 }, () => patched(record.data, { [random(record.data.length)]: random(256) })),
      ];
      for (const frame of frames) {
        const result = parseTcpPacket(record.linkType, frame);
        if (result !== undefined && !('error' in result)) capturedSegment.parse({ t: 0, ...result });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
