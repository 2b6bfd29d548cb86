import { flags } from './segment.ts';
import { seqAdd } from './seq.ts';
import type { Endpoint, StepContext, TimerName } from './tcb.ts';
import { synAcked } from './tcb.ts';
import { clearAllTimers, emit, retransmitOldest, setTimer } from './output.ts';

/** The retry budget that applies to what is outstanding, as Linux picks it. */
function retryLimit(e: Endpoint): number {
  if (e.state === 'SYN-SENT') return e.config.synRetries;
  if (!synAcked(e)) return e.config.synAckRetries;
  return e.config.dataRetries;
}

/** RFC 9293 §3.10.8 TIMEOUTS, with RFC 6298 §5 for the retransmission timer. */
export function timeout(e: Endpoint, timer: TimerName, ctx: StepContext): Endpoint {
  const cleared = setTimer(e, timer, undefined);
  if (timer === 'time-wait') {
    ctx.why.push('The 2·MSL TIME-WAIT timer expired, so the TCB is deleted.');
    ctx.effects.push({ kind: 'notify', event: 'closed' });
    return clearAllTimers({ ...cleared, state: 'CLOSED' });
  }
  if (timer === 'persist') return persistProbe(cleared, ctx);
  const retries = e.retries + 1;
  const limit = retryLimit(e);
  if (retries > limit) {
    ctx.why.push(
      `The retransmission timer expired again after ${e.retries} retransmissions, the limit: the connection gives up with ETIMEDOUT.`,
    );
    ctx.effects.push({ kind: 'error', error: 'ETIMEDOUT' }, { kind: 'notify', event: 'closed' });
    return clearAllTimers({ ...cleared, state: 'CLOSED', error: 'ETIMEDOUT' });
  }
  // (5.5) back off; (5.6) restart with the doubled RTO.
  const rto = Math.min(e.rto * 2, e.config.maxRto);
  const what = e.state === 'SYN-SENT' ? 'SYN' : synAcked(e) ? 'oldest unacknowledged segment' : 'SYN, ACK';
  ctx.why.push(
    `Nothing acknowledged within RTO = ${e.rto / 1e6} s, so the ${what} is retransmitted (retry ${retries}) and the RTO doubles to ${rto / 1e6} s.`,
  );
  const resent = retransmitOldest({ ...cleared, retries, rto }, ctx);
  return setTimer(resent, 'retransmit', ctx.now + rto);
}

/**
 * A zero-window probe in Linux's form: an ACK carrying an already-acknowledged
 * sequence number, which the receiver must answer with its current window.
 */
function persistProbe(e: Endpoint, ctx: StepContext): Endpoint {
  ctx.why.push('The peer advertised a zero window and data is waiting, so a window probe asks for the current window.');
  const probed = emit(e, ctx, { seq: seqAdd(e.sndUna, -1), flags: flags('ACK') });
  const backoff = e.persistBackoff + 1;
  const interval = Math.min(e.rto * 2 ** backoff, e.config.maxRto);
  return setTimer({ ...probed, persistBackoff: backoff }, 'persist', ctx.now + interval);
}
