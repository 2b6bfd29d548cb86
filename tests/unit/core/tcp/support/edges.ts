import type { SegmentDraft, Transition } from '../../../../../src/core/tcp/index.ts';
import { endpointStep, flags } from '../../../../../src/core/tcp/index.ts';
import { Wire, app, client, seg, sent, server } from './endpoints.ts';

/**
 * Short direct endpointStep runs for the diagram edges no socket-level scenario
 * takes (an RFC TCB can do things the Berkeley API never asks of it).
 */
export function directTransitions(): Transition[] {
  const out: Transition[] = [];

  const active = new Wire(server(), client());
  active.apply('client', app({ op: 'listen' }));
  active.apply('server', app({ op: 'listen' }));
  active.apply('client', app({ op: 'send', data: 'x' }));
  active.flush();
  out.push(...active.transitions);

  const simultaneous = new Wire(client(), server());
  simultaneous.apply('client', app({ op: 'connect' }));
  simultaneous.apply('server', app({ op: 'connect' }));
  simultaneous.flush();
  out.push(...simultaneous.transitions);

  const listenClose = endpointStep(endpointStep(server(), app({ op: 'listen' }), 0).endpoint, app({ op: 'close' }), 0);
  const synSentClose = endpointStep(endpointStep(client(), app({ op: 'connect' }), 0).endpoint, app({ op: 'close' }), 0);
  for (const r of [listenClose, synSentClose]) if (r.transition) out.push(r.transition);

  const half = new Wire(client(), server());
  half.apply('server', app({ op: 'listen' }));
  half.apply('client', app({ op: 'connect' }));
  half.flush(() => false, 1);
  const rst: SegmentDraft = { ...half.delivered[0]!, seq: half.delivered[0]!.seq + 1, flags: flags('RST'), options: {} };
  const back = endpointStep(half.ends.server, seg(rst), half.now);
  if (back.transition) out.push(back.transition);
  half.apply('server', app({ op: 'close' }));
  out.push(...half.transitions);

  const crossed = new Wire(client(), server());
  crossed.handshake();
  crossed.apply('client', app({ op: 'close' }));
  const fin = crossed.queue.shift()!.segment;
  crossed.apply('server', seg(fin));
  crossed.queue = [];
  const finAck = sent(crossed.apply('server', app({ op: 'close' })))[0]!;
  const tw = endpointStep(crossed.ends.client, seg(finAck), crossed.now);
  out.push(...crossed.transitions);
  if (tw.transition) out.push(tw.transition);

  return out;
}
