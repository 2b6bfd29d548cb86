import { seqSub } from './seq.ts';

export type Side = 'client' | 'server';

export type TcpFlags = {
  readonly SYN: boolean;
  readonly ACK: boolean;
  readonly FIN: boolean;
  readonly RST: boolean;
  readonly PSH: boolean;
};

/** As on the wire: windowScale is the shift count (7 means "WS=128"). */
export type TcpOptions = {
  readonly mss?: number;
  readonly windowScale?: number;
  readonly sackPermitted?: boolean;
  readonly timestamps?: { readonly tsval: number; readonly tsecr: number };
};

/**
 * One TCP segment, simulated or parsed from a capture. `window` is the raw
 * 16-bit header field (unscaled); `len` counts payload bytes only.
 */
export type Segment = {
  readonly id: number;
  readonly from: Side;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: TcpFlags;
  readonly window: number;
  readonly options: TcpOptions;
  readonly payload: string;
  readonly len: number;
};

/** A segment an endpoint wants sent; the simulation numbers it. */
export type SegmentDraft = Omit<Segment, 'id'>;

export function flags(...set: readonly (keyof TcpFlags)[]): TcpFlags {
  return {
    SYN: set.includes('SYN'),
    ACK: set.includes('ACK'),
    FIN: set.includes('FIN'),
    RST: set.includes('RST'),
    PSH: set.includes('PSH'),
  };
}

/** SEG.LEN in RFC 9293's sense: SYN and FIN each occupy one sequence number. */
export function seqSpace(seg: Pick<Segment, 'len' | 'flags'>): number {
  return seg.len + (seg.flags.SYN ? 1 : 0) + (seg.flags.FIN ? 1 : 0);
}

export function otherSide(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

// Wireshark lists flags in header bit order, lowest first.
const FLAG_ORDER: readonly (keyof TcpFlags)[] = ['FIN', 'SYN', 'RST', 'PSH', 'ACK'];

export function flagLabel(f: TcpFlags): string {
  const names = FLAG_ORDER.filter((name) => f[name]);
  return names.length === 0 ? '<None>' : names.join(', ');
}

export type FormatOptions = {
  /** Each side's ISN; a side left out is shown with absolute numbers. */
  readonly relativeTo?: { readonly client?: number; readonly server?: number };
  /** Each side's negotiated receive shift, to show the scaled window as Wireshark does once it saw the handshake. */
  readonly windowShift?: { readonly client?: number; readonly server?: number };
};

/** A flow-graph label in Wireshark's words, e.g. "PSH, ACK Seq=1 Ack=1 Win=64256 Len=5". */
export function formatSegment(seg: Segment, opts: FormatOptions = {}): string {
  const to = seg.from === 'client' ? 'server' : 'client';
  const ownBase = opts.relativeTo?.[seg.from];
  const peerBase = opts.relativeTo?.[to];
  const seq = ownBase === undefined ? seg.seq : seqSub(seg.seq, ownBase);
  const shift = seg.flags.SYN ? 0 : (opts.windowShift?.[seg.from] ?? 0);
  const parts = [flagLabel(seg.flags), `Seq=${seq}`];
  if (seg.flags.ACK) parts.push(`Ack=${peerBase === undefined ? seg.ack : seqSub(seg.ack, peerBase)}`);
  parts.push(`Win=${seg.window * 2 ** shift}`, `Len=${seg.len}`);
  const o = seg.options;
  if (o.mss !== undefined) parts.push(`MSS=${o.mss}`);
  if (o.windowScale !== undefined) parts.push(`WS=${2 ** o.windowScale}`);
  if (o.sackPermitted) parts.push('SACK_PERM');
  if (o.timestamps) parts.push(`TSval=${o.timestamps.tsval}`, `TSecr=${o.timestamps.tsecr}`);
  return parts.join(' ');
}
