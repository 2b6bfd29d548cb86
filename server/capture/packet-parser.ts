import type { CapturedSegment } from '../../src/protocol/segments.ts';
import { previewBytes } from '../../src/protocol/preview.ts';
import { formatIPv4, formatIPv6 } from './ip-address.ts';
import { networkLayer } from './link-layer.ts';
import { parseTcpOptions } from './tcp-options.ts';

/** A captured segment without its time: the caller knows when the session started. */
export type ParsedTcp = Omit<CapturedSegment, 't'>;

export type PacketError = { error: string };

/** Where the TCP header starts, how long IP says the segment is, and between which hosts. */
type TcpInIp = { start: number; length: number; source: string; destination: string };

const PROTOCOL_TCP = 6;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_DESTINATION_OPTIONS = 60;
const IPV6_SKIPPED_HEADERS = new Set([IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DESTINATION_OPTIONS]);
const IPV4_FRAGMENT_BITS = 0x3fff;
const TCP_MIN_HEADER = 20;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

function ipv4(view: DataView, at: number): TcpInIp | PacketError | undefined {
  const captured = view.byteLength - at;
  if (captured < 20) return { error: `IPv4 header cut short: ${captured} of 20 bytes captured` };
  const version = view.getUint8(at) >> 4;
  if (version !== 4) return { error: `expected IPv4, found IP version ${version}` };
  const headerLength = (view.getUint8(at) & 0x0f) * 4;
  if (headerLength < 20) return { error: `IPv4 header length ${headerLength} is below the minimum 20` };
  if (captured < headerLength) return { error: `IPv4 header cut short: ${captured} of ${headerLength} bytes captured` };
  const totalLength = view.getUint16(at + 2, false);
  if (totalLength < headerLength) {
    return { error: `IPv4 total length ${totalLength} is shorter than its own ${headerLength}-byte header` };
  }
  // A fragment's payload length is not the segment's, and later fragments have no TCP header.
  if ((view.getUint16(at + 6, false) & IPV4_FRAGMENT_BITS) !== 0) return undefined;
  if (view.getUint8(at + 9) !== PROTOCOL_TCP) return undefined;
  return {
    start: at + headerLength,
    length: totalLength - headerLength,
    source: formatIPv4(view, at + 12),
    destination: formatIPv4(view, at + 16),
  };
}

function ipv6(view: DataView, at: number): TcpInIp | PacketError | undefined {
  const captured = view.byteLength - at;
  if (captured < 40) return { error: `IPv6 header cut short: ${captured} of 40 bytes captured` };
  const version = view.getUint8(at) >> 4;
  if (version !== 6) return { error: `expected IPv6, found IP version ${version}` };
  let remaining = view.getUint16(at + 4, false);
  let next = view.getUint8(at + 6);
  let cursor = at + 40;
  while (IPV6_SKIPPED_HEADERS.has(next)) {
    if (view.byteLength - cursor < 2) return { error: 'IPv6 extension header cut short' };
    const length = (view.getUint8(cursor + 1) + 1) * 8;
    if (length > remaining) return { error: `IPv6 extension header of ${length} bytes overruns the payload length` };
    next = view.getUint8(cursor);
    cursor += length;
    remaining -= length;
  }
  if (next !== PROTOCOL_TCP) return undefined;
  return {
    start: cursor,
    length: remaining,
    source: `[${formatIPv6(view, at + 8)}]`,
    destination: `[${formatIPv6(view, at + 24)}]`,
  };
}

function tcp(view: DataView, data: Uint8Array, ip: TcpInIp): ParsedTcp | PacketError {
  const { start, length } = ip;
  const captured = view.byteLength - start;
  if (captured < TCP_MIN_HEADER) return { error: `TCP header cut short: ${Math.max(captured, 0)} of 20 bytes captured` };
  const headerLength = (view.getUint8(start + 12) >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER) return { error: `TCP data offset ${headerLength} is below the minimum 20` };
  if (headerLength > length) {
    return { error: `TCP header of ${headerLength} bytes is longer than the ${length} bytes IP gives the segment` };
  }
  if (captured < headerLength) return { error: `TCP options cut short: ${captured} of ${headerLength} bytes captured` };
  const flags = view.getUint8(start + 13);
  const payloadLength = length - headerLength;
  // IP's lengths are the truth: the snapshot length may cut the payload, and Ethernet may pad it.
  const payloadStart = start + headerLength;
  const payload = data.subarray(payloadStart, Math.min(payloadStart + payloadLength, data.length));
  const preview = previewBytes(payload);
  return {
    src: `${ip.source}:${view.getUint16(start, false)}`,
    dst: `${ip.destination}:${view.getUint16(start + 2, false)}`,
    seq: view.getUint32(start + 4, false),
    ack: view.getUint32(start + 8, false),
    flags: {
      SYN: (flags & SYN) !== 0,
      ACK: (flags & ACK) !== 0,
      FIN: (flags & FIN) !== 0,
      RST: (flags & RST) !== 0,
      PSH: (flags & PSH) !== 0,
    },
    window: view.getUint16(start + 14, false),
    options: parseTcpOptions(data.subarray(start + TCP_MIN_HEADER, start + headerLength)),
    len: payloadLength,
    preview: payload.length < payloadLength && !preview.endsWith('…') ? `${preview}…` : preview,
  };
}

/**
 * Reads one captured frame down to its TCP header. Returns undefined for anything that is not a
 * whole TCP segment (ARP, UDP, IP fragments), and an error naming the problem for a frame too short
 * or inconsistent to read. It never throws and never reads past the captured bytes.
 */
export function parseTcpPacket(linkType: number, data: Uint8Array): ParsedTcp | PacketError | undefined {
  const link = networkLayer(linkType, data);
  if (link === undefined || 'error' in link) return link;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ip = link.version === 4 ? ipv4(view, link.offset) : ipv6(view, link.offset);
  if (ip === undefined || 'error' in ip) return ip;
  return tcp(view, data, ip);
}
