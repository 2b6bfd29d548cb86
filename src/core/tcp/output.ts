import type { Micros } from '../clock.ts';
import type { SegmentDraft, TcpFlags, TcpOptions } from './segment.ts';
import { flags } from './segment.ts';
import { seqAdd, seqSub } from './seq.ts';
import type { Endpoint, StepContext, TimerName } from './tcb.ts';
import { synAcked } from './tcb.ts';

const MAX_WINDOW_FIELD = 0xffff;

/** TSval ticks in milliseconds, like Linux's TCP timestamp clock. */
export function tsNow(e: Endpoint, now: Micros): number {
  return (e.config.tsOffset + Math.floor(now / 1000)) >>> 0;
}

function synOptions(e: Endpoint, now: Micros, isSynAck: boolean): TcpOptions {
  const c = e.config;
  const offerWs = isSynAck ? e.wsOk : c.windowScale !== undefined;
  const offerSack = isSynAck ? e.sackOk : c.sackPermitted;
  const offerTs = isSynAck ? e.tsOk : c.timestamps;
  return {
    mss: c.mss,
    ...(offerWs && c.windowScale !== undefined ? { windowScale: c.windowScale } : {}),
    ...(offerSack ? { sackPermitted: true } : {}),
    ...(offerTs ? { timestamps: { tsval: tsNow(e, now), tsecr: isSynAck ? e.tsRecent : 0 } } : {}),
  };
}

type Emit = {
  readonly seq: number;
  readonly flags: TcpFlags;
  readonly payload?: string;
  readonly retransmission?: boolean;
};

/** Forms one segment from the TCB (ACK field, window, options) and queues it as an effect. */
export function emit(e: Endpoint, ctx: StepContext, spec: Emit): Endpoint {
  const payload = spec.payload ?? '';
  // RFC 7323: the window field of a SYN is never scaled.
  const field = spec.flags.SYN
    ? Math.min(e.rcvWnd, MAX_WINDOW_FIELD)
    : Math.min(Math.floor(e.rcvWnd / 2 ** e.rcvShift), MAX_WINDOW_FIELD);
  const options: TcpOptions = spec.flags.SYN
    ? synOptions(e, ctx.now, spec.flags.ACK)
    : e.tsOk && !spec.flags.RST
      ? { timestamps: { tsval: tsNow(e, ctx.now), tsecr: e.tsRecent } }
      : {};
  const segment: SegmentDraft = {
    from: e.side,
    srcPort: e.localPort,
    dstPort: e.remotePort,
    seq: spec.seq,
    ack: spec.flags.ACK ? e.rcvNxt : 0,
    flags: spec.flags,
    window: field,
    options,
    payload,
    len: payload.length,
  };
  ctx.effects.push({ kind: 'send', segment, retransmission: spec.retransmission ?? false });
  const advertised = spec.flags.SYN ? field : field * 2 ** e.rcvShift;
  return advertised === e.rcvWndAdvertised ? e : { ...e, rcvWndAdvertised: advertised };
}

export function setTimer(e: Endpoint, name: TimerName, at: Micros | undefined): Endpoint {
  if (e.timers[name] === at) return e;
  const timers = { ...e.timers };
  if (at === undefined) delete timers[name];
  else timers[name] = at;
  return { ...e, timers };
}

export function clearAllTimers(e: Endpoint): Endpoint {
  return Object.keys(e.timers).length === 0 ? e : { ...e, timers: {} };
}

/** RFC 6298 (5.1): a segment occupying sequence space starts the timer unless it already runs. */
function armRetransmit(e: Endpoint, now: Micros): Endpoint {
  return e.timers.retransmit === undefined ? setTimer(e, 'retransmit', now + e.rto) : e;
}

export function sendSyn(e: Endpoint, ctx: StepContext, retransmission = false): Endpoint {
  const withAck = e.state !== 'SYN-SENT';
  const sent = emit(e, ctx, { seq: e.iss, flags: withAck ? flags('SYN', 'ACK') : flags('SYN'), retransmission });
  return armRetransmit(retransmission ? sent : { ...sent, sndNxt: seqAdd(e.iss, 1) }, ctx.now);
}

export function sendAck(e: Endpoint, ctx: StepContext): Endpoint {
  return emit(e, ctx, { seq: e.sndNxt, flags: flags('ACK') });
}

/** Sequence number of sndBuf[0]: SND.UNA once the SYN is acknowledged, ISS+1 before. */
export function dataStart(e: Endpoint): number {
  return synAcked(e) ? e.sndUna : seqAdd(e.iss, 1);
}

const CAN_SEND_DATA = new Set(['ESTABLISHED', 'CLOSE-WAIT', 'FIN-WAIT-1', 'LAST-ACK']);

/**
 * Sends what the peer's window allows of the unsent bytes, then the FIN once
 * everything before it is out. Data waits for the SYN to be acknowledged.
 */
export function transmit(e: Endpoint, ctx: StepContext): Endpoint {
  if (!CAN_SEND_DATA.has(e.state) || e.finSeq !== undefined) return e;
  let out = e;
  const start = dataStart(out);
  for (;;) {
    const sent = seqSub(out.sndNxt, start);
    const unsent = out.sndBuf.length - sent;
    if (unsent <= 0 || !synAcked(out)) break;
    const inFlight = seqSub(out.sndNxt, out.sndUna);
    const usable = out.sndWnd - inFlight;
    if (usable <= 0) break;
    const n = Math.min(out.sndMss, unsent, usable);
    const last = n === unsent;
    const fin = last && out.finQueued;
    const payload = out.sndBuf.slice(sent, sent + n);
    const seq = out.sndNxt;
    out = emit(out, ctx, { seq, flags: flags('ACK', ...(last ? (['PSH'] as const) : []), ...(fin ? (['FIN'] as const) : [])), payload });
    out = { ...out, sndNxt: seqAdd(seq, n + (fin ? 1 : 0)), ...(fin ? { finSeq: seqAdd(seq, n) } : {}) };
    out = armRetransmit(out, ctx.now);
  }
  const allSent = seqSub(out.sndNxt, start) >= out.sndBuf.length;
  if (out.finQueued && out.finSeq === undefined && allSent) {
    const seq = out.sndNxt;
    out = emit(out, ctx, { seq, flags: flags('FIN', 'ACK') });
    out = armRetransmit({ ...out, sndNxt: seqAdd(seq, 1), finSeq: seq }, ctx.now);
  }
  return armPersistIfStalled(out, ctx.now);
}

/**
 * RFC 9293 §3.8.6.1: with data waiting, nothing in flight and a zero window, only
 * a probe can learn that the window reopened (its update may have been lost).
 */
function armPersistIfStalled(e: Endpoint, now: Micros): Endpoint {
  const waiting =
    synAcked(e) &&
    e.sndNxt === e.sndUna &&
    seqSub(e.sndNxt, dataStart(e)) < e.sndBuf.length &&
    e.timers.retransmit === undefined;
  if (waiting && e.sndWnd === 0) return e.timers.persist === undefined ? setTimer(e, 'persist', now + e.rto) : e;
  return e.timers.persist === undefined ? e : setTimer({ ...e, persistBackoff: 0 }, 'persist', undefined);
}

/** RFC 6298 (5.4): retransmit the earliest segment not yet acknowledged. */
export function retransmitOldest(e: Endpoint, ctx: StepContext): Endpoint {
  if (!synAcked(e)) return sendSyn(e, ctx, true);
  const n = Math.min(e.sndMss, e.sndBuf.length);
  const withFin = e.finSeq !== undefined && n === e.sndBuf.length;
  if (n === 0 && !withFin) return e;
  const last = n === e.sndBuf.length;
  return emit(e, ctx, {
    seq: e.sndUna,
    flags: flags('ACK', ...(n > 0 && last ? (['PSH'] as const) : []), ...(withFin ? (['FIN'] as const) : [])),
    payload: e.sndBuf.slice(0, n),
    retransmission: true,
  });
}
