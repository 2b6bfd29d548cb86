import type { Micros } from '../clock.ts';
import type { Segment } from './segment.ts';
import type { AppCall, Endpoint, EndpointEffect, EndpointInit, TimerName } from './tcb.ts';
import { createEndpoint } from './tcb.ts';
import type { EndpointStep, Transition } from './endpoint.ts';
import { endpointStep } from './endpoint.ts';
import { SYNCHRONIZED_STATES } from './state.ts';

/**
 * A listening socket as Berkeley sockets and Linux build it: the LISTEN TCB
 * stays put, and each SYN makes a child connection that waits in the SYN queue
 * (SYN-RECEIVED) and then in the accept queue (ESTABLISHED) until accept().
 */
export type Listener = {
  readonly socket: Endpoint;
  readonly backlog: number;
  /** Half-open connections allowed at once (Linux: tcp_max_syn_backlog, without SYN cookies). */
  readonly synQueueMax: number;
  /** Every server-side connection, keyed by the client's port. */
  readonly connections: readonly Endpoint[];
  readonly synQueue: readonly number[];
  readonly acceptQueue: readonly number[];
};

export type ListenerInput =
  | { readonly kind: 'listen'; readonly backlog: number }
  | { readonly kind: 'accept' }
  | { readonly kind: 'close' }
  | { readonly kind: 'segment'; readonly segment: Segment; readonly iss: number }
  /** remotePort names a child connection; undefined means the listening socket itself. */
  | { readonly kind: 'timer'; readonly remotePort: number | undefined; readonly timer: TimerName }
  | { readonly kind: 'app'; readonly remotePort: number | undefined; readonly call: AppCall };

export type ListenerStep = {
  readonly listener: Listener;
  readonly effects: readonly EndpointEffect[];
  /** The connection the input concerned, by the client's port; undefined for the listening socket. */
  readonly remotePort: number | undefined;
  readonly transition: Transition | undefined;
  readonly why: string;
  /** The segment was discarded because the accept queue was full. */
  readonly overflow: boolean;
};

export const DEFAULT_SYN_QUEUE_MAX = 128;

/** remotePort, when given, is RFC 9293's fully specified passive OPEN: the listening socket knows its peer. */
export function createListener(init: Omit<EndpointInit, 'remotePort'> & { readonly remotePort?: number }, synQueueMax = DEFAULT_SYN_QUEUE_MAX): Listener {
  return {
    socket: createEndpoint({ ...init, remotePort: init.remotePort ?? 0 }),
    backlog: 0,
    synQueueMax,
    connections: [],
    synQueue: [],
    acceptQueue: [],
  };
}

/** The connection a segment from this client port belongs to, ignoring finished ones. */
export function liveConnection(l: Listener, remotePort: number): Endpoint | undefined {
  return l.connections.find((c) => c.remotePort === remotePort && c.state !== 'CLOSED');
}

export function connectionFor(l: Listener, remotePort: number): Endpoint | undefined {
  return l.connections.find((c) => c.remotePort === remotePort);
}

/** Linux's sk_acceptq_is_full(): the queue counts as full only beyond the backlog, so backlog + 1 connections wait. */
export function acceptQueueFull(l: Listener): boolean {
  return l.acceptQueue.length > l.backlog;
}

function withConnection(l: Listener, conn: Endpoint): Listener {
  const i = l.connections.findIndex((c) => c.remotePort === conn.remotePort);
  const connections = i < 0 ? [...l.connections, conn] : l.connections.map((c, j) => (j === i ? conn : c));
  return { ...l, connections };
}

const without = (ports: readonly number[], port: number): readonly number[] => ports.filter((p) => p !== port);

function fromStep(l: Listener, r: EndpointStep, remotePort: number | undefined, why = r.why): ListenerStep {
  return { listener: l, effects: r.effects, remotePort, transition: r.transition, why, overflow: false };
}

function nothing(l: Listener, why: string, remotePort?: number, overflow = false): ListenerStep {
  return { listener: l, effects: [], remotePort, transition: undefined, why, overflow };
}

export function listenerStep(l: Listener, input: ListenerInput, now: Micros): ListenerStep {
  switch (input.kind) {
    case 'listen': {
      const r = endpointStep(l.socket, { kind: 'app', call: { op: 'listen' } }, now);
      const why = `${r.why} Up to ${input.backlog + 1} established connections may wait for accept(): Linux admits one more than the backlog.`;
      return fromStep({ ...l, socket: r.endpoint, backlog: input.backlog }, r, undefined, why);
    }
    case 'accept':
      return accept(l);
    case 'close':
      return closeListener(l, now);
    case 'segment':
      return segmentArrives(l, input.segment, input.iss, now);
    case 'timer':
    case 'app': {
      const step = input.kind === 'timer' ? ({ kind: 'timer', timer: input.timer } as const) : ({ kind: 'app', call: input.call } as const);
      if (input.remotePort === undefined) {
        // RFC 9293 §3.10.2: SEND on a LISTEN socket whose peer is known makes it active; it then carries that connection itself.
        const r = endpointStep(l.socket, step, now);
        return fromStep({ ...l, socket: r.endpoint }, r, undefined);
      }
      const conn = connectionFor(l, input.remotePort);
      if (conn === undefined) return nothing(l, `No connection from port ${input.remotePort}.`);
      const r = endpointStep(conn, step, now);
      return fromStep(settle(withConnection(l, r.endpoint), r.endpoint), r, input.remotePort);
    }
  }
}

/** Keeps the queues in step with a child's state: a half-open child that closed or fell back to LISTEN leaves. */
function settle(l: Listener, conn: Endpoint): Listener {
  if (!l.synQueue.includes(conn.remotePort)) return l;
  if (conn.state === 'LISTEN') {
    return { ...l, synQueue: without(l.synQueue, conn.remotePort), connections: l.connections.filter((c) => c !== conn) };
  }
  if (conn.state === 'CLOSED') return { ...l, synQueue: without(l.synQueue, conn.remotePort) };
  if (SYNCHRONIZED_STATES.includes(conn.state)) {
    return { ...l, synQueue: without(l.synQueue, conn.remotePort), acceptQueue: [...l.acceptQueue, conn.remotePort] };
  }
  return l;
}

function accept(l: Listener): ListenerStep {
  const [first, ...rest] = l.acceptQueue;
  if (l.socket.state !== 'LISTEN') {
    return { ...nothing(l, 'accept() needs a listening socket.'), effects: [{ kind: 'result', result: { ok: false, error: 'EINVAL' } }] };
  }
  if (first === undefined) {
    return { ...nothing(l, 'The accept queue is empty: a blocking accept() would wait here.'), effects: [{ kind: 'result', result: { ok: false, error: 'EAGAIN' } }] };
  }
  const conn = connectionFor(l, first);
  return {
    ...nothing(
      { ...l, acceptQueue: rest },
      `accept() takes the connection from port ${first} off the accept queue. Its handshake finished earlier, in the kernel: it is already ${conn?.state ?? 'CLOSED'}.`,
      first,
    ),
    effects: [{ kind: 'result', result: { ok: true } }],
  };
}

function closeListener(l: Listener, now: Micros): ListenerStep {
  const r = endpointStep(l.socket, { kind: 'app', call: { op: 'close' } }, now);
  const pending = [...l.synQueue, ...l.acceptQueue];
  let next: Listener = { ...l, socket: r.endpoint, synQueue: [], acceptQueue: [] };
  const effects: EndpointEffect[] = [...r.effects];
  for (const port of pending) {
    const conn = connectionFor(next, port);
    if (conn === undefined) continue;
    const aborted = endpointStep(conn, { kind: 'app', call: { op: 'abort' } }, now);
    next = withConnection(next, aborted.endpoint);
    effects.push(...aborted.effects.filter((fx) => fx.kind === 'send'));
  }
  const why = pending.length === 0 ? r.why : `${r.why} The ${pending.length} connections never accepted are reset.`;
  return { listener: next, effects, remotePort: undefined, transition: r.transition, why, overflow: false };
}

function segmentArrives(l: Listener, seg: Segment, iss: number, now: Micros): ListenerStep {
  const conn = liveConnection(l, seg.srcPort);
  if (conn !== undefined) {
    const r = endpointStep(conn, { kind: 'segment', segment: seg }, now);
    const completes = l.synQueue.includes(conn.remotePort) && SYNCHRONIZED_STATES.includes(r.endpoint.state);
    if (completes && acceptQueueFull(l)) {
      return nothing(
        l,
        `This ACK would complete the handshake, but the accept queue filled up while it was on its way (${l.acceptQueue.length} connections wait, backlog ${l.backlog} + 1): Linux ignores it. The connection stays SYN-RECEIVED and will retransmit its SYN, ACK, while the client already believes it is ESTABLISHED.`,
        conn.remotePort,
        true,
      );
    }
    const why = completes ? `${r.why} It moves from the SYN queue to the accept queue, to wait for accept().` : r.why;
    return fromStep(settle(withConnection(l, r.endpoint), r.endpoint), r, conn.remotePort, why);
  }
  const isSyn = seg.flags.SYN && !seg.flags.ACK && !seg.flags.RST;
  if (l.socket.state !== 'LISTEN' || !isSyn) {
    const r = endpointStep(l.socket, { kind: 'segment', segment: seg }, now);
    return fromStep({ ...l, socket: r.endpoint }, r, undefined);
  }
  if (acceptQueueFull(l)) {
    return nothing(
      l,
      `The accept queue is full (${l.acceptQueue.length} connections wait, backlog ${l.backlog} + 1), so Linux drops this SYN without an answer; the client stays in SYN-SENT and will retransmit it.`,
      seg.srcPort,
      true,
    );
  }
  if (l.synQueue.length >= l.synQueueMax) {
    return nothing(l, `The SYN queue is full (${l.synQueueMax} half-open connections), so this SYN is dropped.`, seg.srcPort);
  }
  const r = endpointStep({ ...l.socket, iss, sndUna: iss, sndNxt: iss }, { kind: 'segment', segment: seg }, now);
  const child = r.endpoint;
  const next: Listener = { ...withConnection(l, child), synQueue: [...l.synQueue, child.remotePort] };
  return fromStep(next, r, child.remotePort, `${r.why} It joins the SYN queue.`);
}
