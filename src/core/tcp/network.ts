import type { Micros } from '../clock.ts';
import type { Rng } from '../rng.ts';
import type { Segment, Side } from './segment.ts';

/**
 * 'timed': every segment arrives one latency after it was sent (or is lost).
 * 'learner': segments wait in flight until the learner delivers or drops each one, in any order.
 */
export type DeliveryMode = 'timed' | 'learner';

export type LossReason = 'random loss' | 'dropped on purpose';

export type InFlight = {
  readonly segment: Segment;
  readonly sentAt: Micros;
  readonly arriveAt: Micros;
  /** Decided when sent, shown when it would have arrived. */
  readonly lost: LossReason | undefined;
};

export type Network = {
  readonly latency: Micros;
  readonly loss: number;
  readonly mode: DeliveryMode;
  /** One-shot rules, used up in order: drop the next segment sent from this side (or either). */
  readonly dropNext: readonly (Side | 'any')[];
  readonly inFlight: readonly InFlight[];
};

export function createNetwork(opts: Partial<Omit<Network, 'inFlight'>> = {}): Network {
  return { latency: opts.latency ?? 0, loss: opts.loss ?? 0, mode: opts.mode ?? 'timed', dropNext: opts.dropNext ?? [], inFlight: [] };
}

export function armDrop(net: Network, side: Side | 'any' = 'any'): Network {
  return { ...net, dropNext: [...net.dropNext, side] };
}

/** Puts a segment on the wire; whether it is lost is drawn now, from the injected rng. */
export function transmit(net: Network, segment: Segment, now: Micros, rng: Rng): Network {
  const rule = net.dropNext[0];
  const planned = rule !== undefined && (rule === 'any' || rule === segment.from);
  const lost: LossReason | undefined = planned ? 'dropped on purpose' : rng.chance(net.loss) ? 'random loss' : undefined;
  return {
    ...net,
    dropNext: planned ? net.dropNext.slice(1) : net.dropNext,
    inFlight: [...net.inFlight, { segment, sentAt: now, arriveAt: now + net.latency, lost }],
  };
}

/** The next segment to arrive by itself: earliest arrival, then first sent. None in learner mode. */
export function nextArrival(net: Network): InFlight | undefined {
  if (net.mode === 'learner') return undefined;
  let best: InFlight | undefined;
  for (const f of net.inFlight) {
    if (best === undefined || f.arriveAt < best.arriveAt || (f.arriveAt === best.arriveAt && f.segment.id < best.segment.id)) best = f;
  }
  return best;
}

export function takeInFlight(net: Network, segmentId: number): { readonly network: Network; readonly item: InFlight | undefined } {
  const item = net.inFlight.find((f) => f.segment.id === segmentId);
  if (item === undefined) return { network: net, item };
  return { network: { ...net, inFlight: net.inFlight.filter((f) => f !== item) }, item };
}
