import type { Micros } from '../clock.ts';
import type { Cause, StateEdge, TcpState } from './state.ts';
import { findEdge } from './state.ts';
import type { Endpoint, EndpointEffect, EndpointInput, StepContext, TimerName } from './tcb.ts';
import { segmentArrives } from './segment-arrives.ts';
import { userCall } from './user-calls.ts';
import { timeout } from './timeouts.ts';

export type Transition = {
  readonly from: TcpState;
  readonly to: TcpState;
  readonly cause: Cause;
  readonly edge: StateEdge | undefined;
};

export type EndpointStep = {
  readonly endpoint: Endpoint;
  readonly effects: readonly EndpointEffect[];
  readonly transition: Transition | undefined;
  /** One or more sentences on the rule applied, for the UI's "why". */
  readonly why: string;
};

const TIMER_NAMES: readonly TimerName[] = ['retransmit', 'persist', 'time-wait'];

/**
 * RFC 9293 §3.10 event processing for one endpoint: returns the next TCB and
 * the effects (segments, timers, app notifications) for the caller to carry out.
 */
export function endpointStep(endpoint: Endpoint, input: EndpointInput, now: Micros): EndpointStep {
  const ctx: StepContext = { now, effects: [], why: [] };
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
  const transition =
    next.state === endpoint.state
      ? undefined
      : { from: endpoint.state, to: next.state, cause, edge: findEdge(endpoint.state, next.state, cause) };
  return { endpoint: next, effects: ctx.effects, transition, why: ctx.why.join(' ') };
}
