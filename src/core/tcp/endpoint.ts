import type { Micros } from '../clock.ts';
import type { Cause, StateEdge, TcpState } from './state.ts';
import { findEdge } from './state.ts';
import type { Endpoint, EndpointEffect, EndpointInput, StepContext, TimerName } from './tcb.ts';
import { segmentArrives } from './segment-arrives.ts';
import { userCall } from './user-calls.ts';
import { timeout } from './timeouts.ts';

/** One arrow walked: the edge is undefined only if the model took a step the diagram lacks. */
export type Hop = { readonly from: TcpState; readonly to: TcpState; readonly edge: StateEdge | undefined };

export type Transition = {
  readonly from: TcpState;
  readonly to: TcpState;
  readonly cause: Cause;
  /**
   * The arrows walked in order: one, or two when a segment both completes a step and triggers the
   * next (an ACK that finishes the handshake and carries a FIN, §3.10.7.4).
   */
  readonly hops: readonly Hop[];
};

export type EndpointStep = {
  readonly endpoint: Endpoint;
  readonly effects: readonly EndpointEffect[];
  readonly transition: Transition | undefined;
  /** One or more sentences on the rule applied, for the UI's "why". */
  readonly why: string;
};

const TIMER_NAMES: readonly TimerName[] = ['retransmit', 'persist', 'time-wait'];

function hopsOf(from: TcpState, passed: readonly TcpState[], to: TcpState, cause: Cause): Hop[] {
  const states = [from, ...passed, to].filter((state, i, all) => i === 0 || state !== all[i - 1]);
  return states.slice(1).map((state, i) => {
    const before = states[i] as TcpState;
    return { from: before, to: state, edge: findEdge(before, state, cause) };
  });
}

/**
 * RFC 9293 §3.10 event processing for one endpoint: returns the next TCB and
 * the effects (segments, timers, app notifications) for the caller to carry out.
 */
export function endpointStep(endpoint: Endpoint, input: EndpointInput, now: Micros): EndpointStep {
  const ctx: StepContext = { now, effects: [], why: [], passed: [] };
  const next =
    input.kind === 'app'
      ? userCall(endpoint, input.call, ctx)
      : input.kind === 'segment'
        ? segmentArrives(endpoint, input.segment, ctx)
        : timeout(endpoint, input.timer, ctx);
  for (const name of TIMER_NAMES) {
    const before = endpoint.timers[name];
    const after = next.timers[name];
    if (after === before) continue;
    ctx.effects.push(after === undefined ? { kind: 'clear-timer', timer: name } : { kind: 'set-timer', timer: name, at: after });
  }
  const cause: Cause = input.kind === 'app' ? 'app' : input.kind;
  const transition = next.state === endpoint.state ? undefined : { from: endpoint.state, to: next.state, cause, hops: hopsOf(endpoint.state, ctx.passed, next.state, cause) };
  return { endpoint: next, effects: ctx.effects, transition, why: ctx.why.join(' ') };
}
