import type { SegmentDraft } from './segment.ts';
import { flags, otherSide, seqSpace } from './segment.ts';
import { seqAdd } from './seq.ts';

/**
 * The reset RFC 9293 §3.10.7.1 prescribes for a segment that matches no
 * connection: never one for a RST; <SEQ=SEG.ACK><CTL=RST> if it carried an ACK;
 * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
export function resetFor(seg: SegmentDraft): SegmentDraft | undefined {
  if (seg.flags.RST) return undefined;
  const base = {
    from: otherSide(seg.from),
    srcPort: seg.dstPort,
    dstPort: seg.srcPort,
    window: 0,
    options: {},
    payload: '',
    len: 0,
  };
  return seg.flags.ACK
    ? { ...base, seq: seg.ack, ack: 0, flags: flags('RST') }
    : { ...base, seq: 0, ack: seqAdd(seg.seq, seqSpace(seg)), flags: flags('RST', 'ACK') };
}
