import type { Endpoint, EndpointInput, EndpointStep, SegmentDraft, Transition } from '../../../../../src/core/tcp/index.ts';
import { createEndpoint, endpointStep } from '../../../../../src/core/tcp/index.ts';

export const CLIENT_ISS = 1000;
export const SERVER_ISS = 5000;

export function sent(step: EndpointStep): SegmentDraft[] {
  return step.effects.flatMap((fx) => (fx.kind === 'send' ? [fx.segment] : []));
}

export function client(iss = CLIENT_ISS, config?: Parameters<typeof createEndpoint>[0]['config']): Endpoint {
  return createEndpoint({ side: 'client', localPort: 50000, remotePort: 65432, iss, config });
}

export function server(iss = SERVER_ISS, config?: Parameters<typeof createEndpoint>[0]['config']): Endpoint {
  return createEndpoint({ side: 'server', localPort: 65432, remotePort: 50000, iss, config });
}

export const app = (call: Extract<EndpointInput, { kind: 'app' }>['call']): EndpointInput => ({ kind: 'app', call });
export const seg = (segment: SegmentDraft): EndpointInput => ({ kind: 'segment', segment });

/** Two endpoints wired back to back with a fixed latency; records every transition. */
export class Wire {
  ends: Record<'client' | 'server', Endpoint>;
  queue: { to: 'client' | 'server'; at: number; segment: SegmentDraft }[] = [];
  transitions: Transition[] = [];
  delivered: SegmentDraft[] = [];
  now = 0;
  readonly latency: number;

  constructor(c: Endpoint, s: Endpoint, latency = 10_000) {
    this.ends = { client: c, server: s };
    this.latency = latency;
  }

  apply(side: 'client' | 'server', input: EndpointInput): EndpointStep {
    const r = endpointStep(this.ends[side], input, this.now);
    this.ends[side] = r.endpoint;
    if (r.transition) this.transitions.push(r.transition);
    for (const s of sent(r)) this.queue.push({ to: side === 'client' ? 'server' : 'client', at: this.now + this.latency, segment: s });
    return r;
  }

  /** Delivers queued segments in arrival order; `drop` may discard some. */
  flush(drop: (s: SegmentDraft) => boolean = () => false, limit = 100): void {
    for (let i = 0; i < limit && this.queue.length > 0; i++) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue.shift()!;
      this.now = Math.max(this.now, next.at);
      if (drop(next.segment)) continue;
      this.delivered.push(next.segment);
      this.apply(next.to, seg(next.segment));
    }
  }

  handshake(): void {
    this.apply('server', app({ op: 'listen' }));
    this.apply('client', app({ op: 'connect' }));
    this.flush();
  }
}
