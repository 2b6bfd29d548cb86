import type { Micros } from '../clock.ts';
import type { SegmentDraft, TcpOptions } from './segment.ts';
import { flags, flagLabel, seqSpace } from './segment.ts';
import { seqAdd, seqGt, seqInWindow, seqLe, seqLt, seqSub } from './seq.ts';
import type { Endpoint, OutOfOrder, StepContext } from './tcb.ts';
import { ourFinAcked, synAcked } from './tcb.ts';
import { clearAllTimers, emit, retransmitOldest, sendAck, sendSyn, setTimer, transmit, tsNow } from './output.ts';
import { resetFor } from './reset.ts';

/** RFC 9293 §3.10.7 SEGMENT ARRIVES. */
export function segmentArrives(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  switch (e.state) {
    case 'CLOSED':
      return inClosed(e, seg, ctx);
    case 'LISTEN':
      return inListen(e, seg, ctx);
    case 'SYN-SENT':
      return inSynSent(e, seg, ctx);
    default:
      return inSynchronizing(e, seg, ctx);
  }
}

function describe(seg: SegmentDraft): string {
  return flagLabel(seg.flags);
}

function sendReset(seg: SegmentDraft, ctx: StepContext): void {
  const reply = resetFor(seg);
  if (reply !== undefined) ctx.effects.push({ kind: 'send', segment: reply, retransmission: false });
}

/** §3.10.7.1: no TCB, so anything but a RST is answered with a RST. */
function inClosed(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  const reply = resetFor(seg);
  if (reply === undefined) {
    ctx.why.push('A RST arriving where there is no connection is dropped.');
    return e;
  }
  ctx.why.push(`No connection exists for this ${describe(seg)}, so the answer is ${describe(reply)}.`);
  ctx.effects.push({ kind: 'send', segment: reply, retransmission: false });
  return e;
}

/** Both SYNs agree on an option only if both carried it (RFC 7323, RFC 2018). */
function negotiate(e: Endpoint, peer: TcpOptions, peerIsSyn: boolean): Endpoint {
  const wsOk = peer.windowScale !== undefined && e.config.windowScale !== undefined;
  const tsOk = peer.timestamps !== undefined && e.config.timestamps;
  return {
    ...e,
    sndMss: peer.mss ?? 536,
    wsOk,
    sndShift: wsOk ? Math.min(peer.windowScale ?? 0, 14) : 0,
    rcvShift: wsOk ? (e.config.windowScale ?? 0) : 0,
    tsOk,
    tsRecent: tsOk && peerIsSyn ? (peer.timestamps?.tsval ?? 0) : e.tsRecent,
    sackOk: (peer.sackPermitted ?? false) && e.config.sackPermitted,
  };
}

/** §3.10.7.2 */
function inListen(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  if (seg.flags.RST) {
    ctx.why.push('A RST arriving at a LISTEN socket is ignored.');
    return e;
  }
  if (seg.flags.ACK) {
    ctx.why.push('Any acknowledgment is bad in LISTEN (nothing was sent yet), so it is answered with RST.');
    sendReset(seg, ctx);
    return e;
  }
  if (!seg.flags.SYN) {
    ctx.why.push(`A ${describe(seg)} without SYN means nothing to a LISTEN socket; it is dropped.`);
    return e;
  }
  const opened = negotiate(
    {
      ...e,
      passive: true,
      remotePort: seg.srcPort,
      irs: seg.seq,
      rcvNxt: seqAdd(seg.seq, 1),
      sndUna: e.iss,
      sndNxt: e.iss,
      sndWnd: seg.window,
      sndWl1: seg.seq,
      sndWl2: 0,
      state: 'SYN-RECEIVED',
    },
    seg.options,
    true,
  );
  ctx.why.push(
    `A SYN (Seq=${seg.seq}) reaches the listening socket: a new connection records IRS=${seg.seq}, answers SYN, ACK with Seq=ISS=${e.iss} and Ack=${opened.rcvNxt}, and waits in SYN-RECEIVED.`,
  );
  return sendSyn(opened, ctx);
}

/** RFC 7323 §4.3, without PAWS: remember the newest timestamp of in-order traffic to echo it. */
function noteTimestamp(e: Endpoint, seg: SegmentDraft): Endpoint {
  const ts = seg.options.timestamps;
  if (!e.tsOk || ts === undefined || !seqLe(seg.seq, e.rcvNxt)) return e;
  return ts.tsval === e.tsRecent ? e : { ...e, tsRecent: ts.tsval };
}

/** RFC 6298 §2 with an RFC 7323 timestamp echo as the round-trip sample. */
function sampleRtt(e: Endpoint, seg: SegmentDraft, now: Micros): Endpoint {
  const ts = seg.options.timestamps;
  if (!e.tsOk || ts === undefined) return e;
  const r = Math.max(seqSub(tsNow(e, now), ts.tsecr) * 1000, 0);
  const first = e.srtt === undefined;
  const rttvar = first ? r / 2 : 0.75 * e.rttvar + 0.25 * Math.abs((e.srtt ?? 0) - r);
  const srtt = first ? r : 0.875 * (e.srtt ?? 0) + 0.125 * r;
  const rto = Math.min(Math.max(Math.round(srtt + Math.max(1000, 4 * rttvar)), e.config.minRto), e.config.maxRto);
  return { ...e, srtt, rttvar, rto };
}

/** §3.10.7.3 */
function inSynSent(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  let ackOk = false;
  if (seg.flags.ACK) {
    if (seqLe(seg.ack, e.iss) || seqGt(seg.ack, e.sndNxt)) {
      if (seg.flags.RST) {
        ctx.why.push('A RST whose ACK does not cover our SYN is dropped in SYN-SENT.');
        return e;
      }
      ctx.why.push(`Ack=${seg.ack} does not acknowledge our SYN (ISS=${e.iss}), so it is answered with RST.`);
      sendReset(seg, ctx);
      return e;
    }
    ackOk = seqLt(e.sndUna, seg.ack) && seqLe(seg.ack, e.sndNxt);
  }
  if (seg.flags.RST) {
    if (!ackOk) {
      ctx.why.push('A RST without an acceptable ACK is dropped in SYN-SENT.');
      return e;
    }
    ctx.why.push('RST, ACK in answer to our SYN: nothing listens on that port. connect() fails with ECONNREFUSED.');
    ctx.effects.push({ kind: 'error', error: 'ECONNREFUSED' }, { kind: 'notify', event: 'closed' });
    return clearAllTimers({ ...e, state: 'CLOSED', error: 'ECONNREFUSED' });
  }
  if (!seg.flags.SYN) {
    ctx.why.push(`A ${describe(seg)} without SYN or RST is dropped in SYN-SENT.`);
    return e;
  }
  const synced = negotiate(
    {
      ...e,
      irs: seg.seq,
      rcvNxt: seqAdd(seg.seq, 1),
      sndUna: ackOk ? seg.ack : e.sndUna,
      sndWnd: seg.window,
      sndWl1: seg.seq,
      sndWl2: seg.ack,
    },
    seg.options,
    true,
  );
  if (synAcked(synced)) {
    const sampled = sampleRtt({ ...synced, retries: 0 }, seg, ctx.now);
    const est = setTimer({ ...sampled, state: 'ESTABLISHED' }, 'retransmit', undefined);
    ctx.why.push(
      `SYN, ACK acknowledges our SYN (Ack=${seg.ack}) and carries the server's ISN ${seg.seq}: the connection is ESTABLISHED and the final ACK of the handshake goes out. connect() returns.`,
    );
    ctx.effects.push({ kind: 'notify', event: 'connected' });
    const sent = transmit(est, ctx);
    return sent.sndNxt === est.sndNxt ? sendAck(sent, ctx) : sent;
  }
  ctx.why.push(
    `A SYN without ACK while our own SYN is out: a simultaneous open. Both sides answer SYN, ACK and wait in SYN-RECEIVED.`,
  );
  return sendSyn({ ...synced, state: 'SYN-RECEIVED', passive: false }, ctx, true);
}

/** §3.10.7.4 first check: is any of the segment inside the receive window? */
function acceptable(e: Endpoint, seg: SegmentDraft): boolean {
  const len = seqSpace(seg);
  const wnd = e.rcvWnd;
  if (len === 0) return wnd === 0 ? seg.seq === e.rcvNxt : seqInWindow(seg.seq, e.rcvNxt, wnd);
  if (wnd === 0) return false;
  return seqInWindow(seg.seq, e.rcvNxt, wnd) || seqInWindow(seqAdd(seg.seq, len - 1), e.rcvNxt, wnd);
}

/** Keeps only the part of the segment from RCV.NXT up to the right edge of the window. */
function trim(e: Endpoint, seg: SegmentDraft): SegmentDraft {
  let { seq, payload } = seg;
  let syn = seg.flags.SYN;
  let fin = seg.flags.FIN;
  if (syn && seqLt(seq, e.rcvNxt)) {
    syn = false;
    seq = seqAdd(seq, 1);
  }
  const before = seqLt(seq, e.rcvNxt) ? seqSub(e.rcvNxt, seq) : 0;
  if (before > 0) {
    payload = payload.slice(before);
    seq = seqAdd(seq, before);
  }
  const room = seqSub(seqAdd(e.rcvNxt, e.rcvWnd), seq);
  if (payload.length > room) {
    payload = payload.slice(0, room);
    fin = false;
  }
  if (seq === seg.seq && payload === seg.payload && syn === seg.flags.SYN && fin === seg.flags.FIN) return seg;
  return { ...seg, seq, payload, len: payload.length, flags: { ...seg.flags, SYN: syn, FIN: fin } };
}

function unacceptable(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  if (seg.flags.RST) {
    ctx.why.push(`A RST with Seq=${seg.seq} outside the receive window is dropped.`);
    return e;
  }
  if (seg.flags.SYN && seg.seq === e.irs) {
    ctx.why.push(
      `This ${describe(seg)} repeats the peer's SYN (Seq=IRS=${e.irs}), which was already counted: §3.10.7.4 drops it, its ACK field too, and answers with an ACK of what is expected.`,
    );
    return sendAck(e, ctx);
  }
  ctx.why.push(
    `${describe(seg)} Seq=${seg.seq} is outside the receive window (RCV.NXT=${e.rcvNxt}, RCV.WND=${e.rcvWnd}): a duplicate or stray segment. It is dropped and answered with an ACK of what is expected.`,
  );
  return sendAck(e, ctx);
}

function resetByPeer(e: Endpoint, ctx: StepContext): Endpoint {
  if (e.state === 'SYN-RECEIVED' && e.passive) {
    ctx.why.push('A RST in SYN-RECEIVED after a passive open returns the connection to LISTEN.');
    return clearAllTimers({ ...e, state: 'LISTEN' });
  }
  const error = e.state === 'SYN-RECEIVED' ? 'ECONNREFUSED' : ['CLOSING', 'LAST-ACK', 'TIME-WAIT'].includes(e.state) ? undefined : 'ECONNRESET';
  ctx.why.push(
    error === undefined
      ? `A RST in ${e.state} ends a connection that was closing anyway: the TCB is deleted.`
      : `The peer reset the connection (RST with Seq=RCV.NXT): it is deleted and the app sees ${error}.`,
  );
  if (error !== undefined) ctx.effects.push({ kind: 'error', error });
  ctx.effects.push({ kind: 'notify', event: 'closed' });
  return clearAllTimers({
    ...e,
    state: 'CLOSED',
    error: error ?? e.error,
    sndBuf: '',
    outOfOrder: [],
  });
}

/** §3.10.7.4 for SYN-RECEIVED and every synchronized state. */
function inSynchronizing(e0: Endpoint, seg0: SegmentDraft, ctx: StepContext): Endpoint {
  let e = e0;
  // Linux answers a retransmitted SYN for a pending connection with the SYN, ACK again.
  if (e.state === 'SYN-RECEIVED' && seg0.flags.SYN && !seg0.flags.ACK && seg0.seq === e.irs) {
    ctx.why.push('The client retransmitted its SYN (our SYN, ACK was probably lost), so the SYN, ACK is sent again.');
    return setTimer(retransmitOldest(e, ctx), 'retransmit', ctx.now + e.rto);
  }
  // A retransmitted FIN in TIME-WAIT: acknowledge it again and restart 2·MSL (§3.10.7.4, fifth check).
  if (e.state === 'TIME-WAIT' && seg0.flags.FIN && !seg0.flags.RST && seqAdd(seg0.seq, seg0.len + 1) === e.rcvNxt) {
    ctx.why.push('The peer retransmitted its FIN (our ACK was lost): ACK it again and restart the 2·MSL timer.');
    return setTimer(sendAck(e, ctx), 'time-wait', ctx.now + 2 * e.config.msl);
  }
  if (!acceptable(e, seg0)) {
    // Simultaneous open: the peer's SYN, ACK repeats a SYN already counted, but its ACK still completes ours.
    const simultaneous =
      e.state === 'SYN-RECEIVED' &&
      !e.passive &&
      seg0.flags.SYN &&
      seg0.flags.ACK &&
      seg0.seq === e.irs &&
      seqGt(seg0.ack, e.sndUna) &&
      seqLe(seg0.ack, e.sndNxt);
    // §3.10.7.4: "special allowance should be made to accept valid ACKs" at a zero window.
    const probeAnswer = e.rcvWnd === 0 && seg0.flags.ACK && !seg0.flags.RST && !seg0.flags.SYN;
    if (!simultaneous && !probeAnswer) return unacceptable(e, seg0, ctx);
    const acked = processAck(e, { ...seg0, payload: '', len: 0, flags: { ...seg0.flags, SYN: false, FIN: false } }, ctx);
    if (acked === undefined) return e;
    return acked.state === e.state ? sendAck(acked, ctx) : transmitOrAck(acked, ctx, true);
  }
  const seg = trim(e, seg0);
  e = noteTimestamp(e, seg);

  if (seg.flags.RST) {
    if (seg.seq !== e.rcvNxt) {
      // RFC 5961 §3.2, adopted by RFC 9293: an in-window RST not at RCV.NXT may be forged.
      ctx.why.push(`A RST with Seq=${seg.seq} is in the window but not exactly RCV.NXT=${e.rcvNxt}: a challenge ACK is sent instead of resetting.`);
      return sendAck(e, ctx);
    }
    return resetByPeer(e, ctx);
  }

  if (seg.flags.SYN) {
    if (e.state === 'SYN-RECEIVED' && e.passive) {
      ctx.why.push('A new SYN inside the window of a passively opened connection returns it to LISTEN.');
      return clearAllTimers({ ...e, state: 'LISTEN' });
    }
    // RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK.
    ctx.why.push('A SYN on an established connection is answered with a challenge ACK, never by resetting.');
    return sendAck(e, ctx);
  }

  if (!seg.flags.ACK) {
    ctx.why.push('A segment without ACK is dropped once the handshake is under way.');
    return e;
  }

  const afterAck = processAck(e, seg, ctx);
  if (afterAck === undefined) return e;
  if (afterAck.state !== e.state) ctx.passed.push(afterAck.state);
  e = afterAck;
  if (e.state === 'CLOSED') return e;

  let needAck = false;
  let fin = false;
  if (seg.len > 0 || (seg.flags.FIN && seg.seq !== e.rcvNxt)) {
    const text = receiveText(e, seg, ctx);
    if (text.endpoint.state === 'CLOSED') return text.endpoint;
    e = text.endpoint;
    needAck = text.needAck;
    fin = text.fin;
  } else {
    fin = seg.flags.FIN;
  }
  if (fin) {
    e = receiveFin(e, ctx);
    needAck = true;
  }
  return transmitOrAck(e, ctx, needAck);
}

/** Sends whatever new data the ACK or window allows; if nothing left, a bare ACK when one is owed. */
function transmitOrAck(e: Endpoint, ctx: StepContext, needAck: boolean): Endpoint {
  const sent = transmit(e, ctx);
  return needAck && sent.sndNxt === e.sndNxt ? sendAck(sent, ctx) : sent;
}

/** Fifth check, the ACK field. Returns undefined when the segment is to be dropped. */
function processAck(e0: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint | undefined {
  let e = e0;
  if (e.state === 'SYN-RECEIVED') {
    if (!(seqLt(e.sndUna, seg.ack) && seqLe(seg.ack, e.sndNxt))) {
      ctx.why.push(`Ack=${seg.ack} does not acknowledge our SYN, ACK, so it is answered with RST.`);
      sendReset(seg, ctx);
      return undefined;
    }
    ctx.why.push(
      e.passive
        ? 'The ACK of our SYN, ACK completes the three-way handshake: ESTABLISHED.'
        : 'Our SYN is acknowledged: the simultaneous open is complete, ESTABLISHED.',
    );
    ctx.effects.push({ kind: 'notify', event: 'connected' });
    e = { ...e, state: 'ESTABLISHED', sndWnd: seg.window * 2 ** e.sndShift, sndWl1: seg.seq, sndWl2: seg.ack };
  }
  if (seqGt(seg.ack, e.sndNxt)) {
    ctx.why.push(`Ack=${seg.ack} acknowledges bytes never sent (SND.NXT=${e.sndNxt}): dropped and answered with an ACK.`);
    sendAck(e, ctx);
    return undefined;
  }
  if (seqGt(seg.ack, e.sndUna)) e = acknowledge(e, seg, ctx);
  if (seqLe(e.sndUna, seg.ack) && (seqLt(e.sndWl1, seg.seq) || (e.sndWl1 === seg.seq && seqLe(e.sndWl2, seg.ack)))) {
    const wnd = seg.window * 2 ** e.sndShift;
    if (wnd !== e.sndWnd || e.sndWl1 !== seg.seq || e.sndWl2 !== seg.ack) e = { ...e, sndWnd: wnd, sndWl1: seg.seq, sndWl2: seg.ack };
  }
  if (e.state === 'FIN-WAIT-1' && ourFinAcked(e)) {
    ctx.why.push('Our FIN is acknowledged: FIN-WAIT-2, waiting for the peer to close its side.');
    e = { ...e, state: 'FIN-WAIT-2' };
  } else if (e.state === 'CLOSING' && ourFinAcked(e)) {
    ctx.why.push('Our FIN is acknowledged after both sides closed at once: TIME-WAIT for 2·MSL.');
    e = setTimer(clearAllTimers({ ...e, state: 'TIME-WAIT' }), 'time-wait', ctx.now + 2 * e.config.msl);
  } else if (e.state === 'LAST-ACK' && ourFinAcked(e)) {
    ctx.why.push('The ACK of our FIN arrives in LAST-ACK: the connection is fully closed and the TCB deleted.');
    ctx.effects.push({ kind: 'notify', event: 'closed' });
    e = clearAllTimers({ ...e, state: 'CLOSED' });
  }
  return e;
}

/** SND.UNA advances: drop acknowledged bytes, sample the RTT, and restart or stop the timer (RFC 6298 5.2, 5.3). */
function acknowledge(e: Endpoint, seg: SegmentDraft, ctx: StepContext): Endpoint {
  let acked = seqSub(seg.ack, e.sndUna);
  const wasSynAcked = synAcked(e);
  if (!wasSynAcked) acked -= 1;
  const dataAcked = Math.min(acked, e.sndBuf.length);
  const sampled = sampleRtt({ ...e, sndUna: seg.ack, sndBuf: e.sndBuf.slice(dataAcked), retries: 0 }, seg, ctx.now);
  if (!wasSynAcked) ctx.why.push(`Ack=${seg.ack} acknowledges our SYN.`);
  if (dataAcked > 0) ctx.why.push(`Ack=${seg.ack} acknowledges ${dataAcked} more bytes, which leave the send buffer.`);
  const allAcked = sampled.sndUna === sampled.sndNxt;
  return setTimer(sampled, 'retransmit', allAcked ? undefined : ctx.now + sampled.rto);
}

type TextOutcome = { readonly endpoint: Endpoint; readonly needAck: boolean; readonly fin: boolean };

const RECEIVES_TEXT = new Set(['ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2']);

/** Seventh check: place the bytes in the receive buffer, or hold them until the gap before them fills. */
function receiveText(e: Endpoint, seg: SegmentDraft, ctx: StepContext): TextOutcome {
  if (!RECEIVES_TEXT.has(e.state)) {
    ctx.why.push(`Data arriving in ${e.state} is ignored: the peer already sent its FIN.`);
    return { endpoint: e, needAck: false, fin: false };
  }
  if (e.appClosed && seg.len > 0) {
    // Linux (tcp_rcv_state_process): nobody will ever read these bytes, so tell the sender at once.
    ctx.why.push('Data arrives after the app called close(): nobody can read it, so the connection is reset (RST).');
    const reset = emit(e, ctx, { seq: e.sndNxt, flags: flags('RST', 'ACK') });
    ctx.effects.push({ kind: 'notify', event: 'closed' });
    return { endpoint: clearAllTimers({ ...reset, state: 'CLOSED' }), needAck: false, fin: false };
  }
  if (seg.seq !== e.rcvNxt) {
    const held = holdOutOfOrder(e.outOfOrder, { seq: seg.seq, data: seg.payload, fin: seg.flags.FIN });
    ctx.why.push(
      `Seq=${seg.seq} is beyond RCV.NXT=${e.rcvNxt}: an earlier segment is missing. The bytes are held and a duplicate ACK asks again for ${e.rcvNxt}.`,
    );
    return { endpoint: { ...e, outOfOrder: held }, needAck: true, fin: false };
  }
  let out: Endpoint = {
    ...e,
    rcvBuf: e.rcvBuf + seg.payload,
    rcvNxt: seqAdd(e.rcvNxt, seg.len),
    rcvWnd: e.rcvWnd - seg.len,
  };
  let fin = seg.flags.FIN;
  ctx.why.push(`${seg.len} bytes arrive in order and go to the receive buffer; RCV.NXT advances to ${out.rcvNxt}.`);
  if (!fin && out.outOfOrder.length > 0) {
    const filled = drainOutOfOrder(out);
    if (filled.endpoint.rcvNxt !== out.rcvNxt) ctx.why.push(`They fill the gap: held bytes follow, and RCV.NXT jumps to ${filled.endpoint.rcvNxt}.`);
    out = filled.endpoint;
    fin = filled.fin;
  }
  if (seg.len > 0) ctx.effects.push({ kind: 'notify', event: 'readable' });
  return { endpoint: out, needAck: true, fin };
}

function holdOutOfOrder(held: readonly OutOfOrder[], piece: OutOfOrder): readonly OutOfOrder[] {
  if (held.some((h) => h.seq === piece.seq && h.data.length >= piece.data.length && h.fin === piece.fin)) return held;
  return [...held.filter((h) => h.seq !== piece.seq), piece].sort((a, b) => (seqLt(a.seq, b.seq) ? -1 : 1));
}

function drainOutOfOrder(e0: Endpoint): { readonly endpoint: Endpoint; readonly fin: boolean } {
  let e = e0;
  let fin = false;
  let progress = true;
  while (progress && !fin) {
    progress = false;
    const kept: OutOfOrder[] = [];
    for (const h of e.outOfOrder) {
      const end = seqAdd(h.seq, h.data.length);
      if (fin || seqGt(h.seq, e.rcvNxt)) {
        kept.push(h);
        continue;
      }
      if (seqGt(end, e.rcvNxt) || (h.fin && end === e.rcvNxt)) {
        const fresh = h.data.slice(seqSub(e.rcvNxt, h.seq)).slice(0, e.rcvWnd);
        e = { ...e, rcvBuf: e.rcvBuf + fresh, rcvNxt: seqAdd(e.rcvNxt, fresh.length), rcvWnd: e.rcvWnd - fresh.length };
        fin = h.fin && seqAdd(h.seq, h.data.length) === e.rcvNxt;
        progress = true;
      }
    }
    const rcvNxt = e.rcvNxt;
    e = { ...e, outOfOrder: kept.filter((h) => seqGt(seqAdd(h.seq, h.data.length + (h.fin ? 1 : 0)), rcvNxt)) };
  }
  return { endpoint: e, fin };
}

/** Eighth check: the FIN is consumed in order, the app will see EOF, and the state moves on. */
function receiveFin(e0: Endpoint, ctx: StepContext): Endpoint {
  if (!['SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2'].includes(e0.state)) return e0;
  const e: Endpoint = { ...e0, rcvNxt: seqAdd(e0.rcvNxt, 1), finReceived: true, outOfOrder: [] };
  ctx.effects.push({ kind: 'notify', event: 'eof' });
  switch (e.state) {
    case 'FIN-WAIT-1':
      // Had this segment acknowledged our FIN too, the ACK check would already have moved us to FIN-WAIT-2.
      ctx.why.push("The peer's FIN arrives before the ACK of ours: both closed at once, so CLOSING.");
      return { ...e, state: 'CLOSING' };
    case 'FIN-WAIT-2':
      ctx.why.push("The peer's FIN arrives in FIN-WAIT-2: it is acknowledged and the socket waits in TIME-WAIT for 2·MSL.");
      return setTimer(clearAllTimers({ ...e, state: 'TIME-WAIT' }), 'time-wait', ctx.now + 2 * e.config.msl);
    default:
      ctx.why.push('The peer sent FIN: it will send no more. The FIN is acknowledged and the socket waits in CLOSE-WAIT for the app to close.');
      return { ...e, state: 'CLOSE-WAIT' };
  }
}
