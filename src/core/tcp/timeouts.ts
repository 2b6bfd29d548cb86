import type { Micros } from '../clock.ts';
import { flags } from './segment.ts';
import { seqAdd } from './seq.ts';
import type { Endpoint, EndpointConfig, StepContext, TimerName } from './tcb.ts';
import { synAcked } from './tcb.ts';
import { clearAllTimers, emit, retransmitOldest, setTimer } from './output.ts';

export type SynSchedule = {
  /** When each retransmitted SYN goes out, counted from the first SYN. */
  readonly retransmits: readonly Micros[];
  /** When connect() gives up with ETIMEDOUT. */
  readonly givesUpAt: Micros;
};

/**
 * A connect()'s SYN timeline as Linux computes it (tcp_retransmit_timer, retransmits_timed_out):
 * it gives up by elapsed time, the time tcp_syn_retries doublings of the initial RTO would take
 * (127 s for the default 6), so a linear start fits more retransmissions into the same budget.
 */
export function synSchedule(
  config: Pick<EndpointConfig, 'initialRto' | 'maxRto' | 'synRetries' | 'synBackoff' | 'synLinearTimeouts'>,
): SynSchedule {
  const doublings = Math.floor(Math.log2(config.maxRto / config.initialRto));
  const budget =
    config.synRetries <= doublings
      ? (2 ** (config.synRetries + 1) - 1) * config.initialRto
      : (2 ** (doublings + 1) - 1) * config.initialRto + (config.synRetries - doublings) * config.maxRto;
  const retransmits: Micros[] = [];
  let at = 0;
  let rto = config.initialRto;
  for (;;) {
    at += rto;
    if (at >= budget) return { retransmits, givesUpAt: at };
    retransmits.push(at);
    const linear = config.synBackoff === 'linear-then-exponential' && retransmits.length <= config.synLinearTimeouts;
    if (!linear) rto = Math.min(rto * 2, config.maxRto);
  }
}

const BACKOFF_TEXT: Readonly<Record<EndpointConfig['synBackoff'], string>> = {
  'linear-then-exponential': 'Linux 6.5 and later: the first retries wait 1 s each, then the wait doubles',
  exponential: 'RFC 6298 and older Linux: the wait doubles each time',
};

/** A SYN timeout in SYN-SENT: retransmit on the schedule, or give up once its time budget is spent. */
function synTimeout(e: Endpoint, ctx: StepContext): Endpoint {
  const schedule = synSchedule(e.config);
  const retries = e.retries + 1;
  const at = schedule.retransmits[retries - 1];
  if (at === undefined) {
    ctx.why.push(
      `No answer ${schedule.givesUpAt / 1e6} s after the first SYN and ${e.retries} retransmissions: the time budget of tcp_syn_retries=${e.config.synRetries} is spent, and connect() fails with ETIMEDOUT.`,
    );
    ctx.effects.push({ kind: 'error', error: 'ETIMEDOUT' }, { kind: 'notify', event: 'closed' });
    return clearAllTimers({ ...e, state: 'CLOSED', error: 'ETIMEDOUT' });
  }
  const rto = (schedule.retransmits[retries] ?? schedule.givesUpAt) - at;
  ctx.why.push(
    `No SYN, ACK within ${e.rto / 1e6} s, so the SYN is retransmitted (retry ${retries}, ${at / 1e6} s after the first); the next wait is ${rto / 1e6} s (${BACKOFF_TEXT[e.config.synBackoff]}).`,
  );
  const resent = retransmitOldest({ ...e, retries, rto }, ctx);
  return setTimer(resent, 'retransmit', ctx.now + rto);
}

/** The retry budget that applies to what is outstanding, as Linux picks it. */
function retryLimit(e: Endpoint): number {
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
  if (e.state === 'SYN-SENT') return synTimeout(cleared, ctx);
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
  const what = synAcked(e) ? 'oldest unacknowledged segment' : 'SYN, ACK';
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
