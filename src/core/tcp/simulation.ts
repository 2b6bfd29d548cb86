import type { Clock, Micros } from '../clock.ts';
import { advanceTo, clockAt } from '../clock.ts';
import type { Rng, RngState } from '../rng.ts';
import { createRng } from '../rng.ts';
import type { Segment, SegmentDraft, Side } from './segment.ts';
import { formatSegment } from './segment.ts';
import { utf8Text } from './bytes.ts';
import type { CallResult, Endpoint, EndpointEffect, SocketError, TimerName } from './tcb.ts';
import { readable } from './tcb.ts';
import type { Transition } from './endpoint.ts';
import { endpointStep } from './endpoint.ts';
import type { Listener } from './listener.ts';
import { connectionFor, listenerStep } from './listener.ts';
import type { InFlight, LossReason, Network } from './network.ts';
import { armDrop, nextArrival, takeInFlight, transmit } from './network.ts';

export type ScriptCall =
  | { readonly op: 'listen'; readonly backlog: number }
  | { readonly op: 'accept' }
  | { readonly op: 'close-listener' }
  | { readonly op: 'connect' }
  | { readonly op: 'send'; readonly data: string }
  /** Blocks until something can be read; with untilEof the line repeats until recv() returns EOF. */
  | { readonly op: 'recv'; readonly max: number; readonly untilEof?: boolean }
  | { readonly op: 'shutdown' }
  | { readonly op: 'close' }
  | { readonly op: 'abort' };

export type ScriptLine = {
  readonly call: ScriptCall;
  /** Wait this long after the previous line returned. */
  readonly after?: Micros;
  /** And not before this time. */
  readonly at?: Micros;
};

/** A blocking program, one call per line: where it is, and what it has seen. */
export type AppRun = {
  readonly lines: readonly ScriptLine[];
  readonly pc: number;
  readonly readyAt: Micros;
  readonly waitingForConnect: boolean;
  /** The error that stopped the program, like an uncaught exception. */
  readonly failed: SocketError | undefined;
  readonly sent: string;
  readonly received: string;
};

export type ClientHost = { readonly name: string; readonly endpoint: Endpoint; readonly app: AppRun };

export type ServerHost = {
  readonly name: string;
  readonly listener: Listener;
  readonly app: AppRun;
  /** The client port of the connection the last accept() returned: the one later calls use. */
  readonly current: number | undefined;
};

/** Which TCB an event concerns: a client by index, the listening socket, or a server connection by client port. */
export type HostRef = { readonly side: 'client'; readonly index: number } | { readonly side: 'server'; readonly remotePort: number | undefined };

type EventBase = {
  readonly at: Micros;
  /** One or two sentences saying what happened and which rule made it so. */
  readonly explanation: string;
};

type Reaction = {
  readonly host: HostRef;
  readonly transition: Transition | undefined;
  /** Segments put on the wire in this step. */
  readonly sent: readonly Segment[];
};

export type WorldEvent = EventBase &
  (
    /** The server's listen() happened before the first step: the transition it made. */
    | { readonly kind: 'start'; readonly host: HostRef; readonly transition: Transition | undefined }
    | ({ readonly kind: 'deliver'; readonly segment: Segment; readonly to: Side } & Reaction)
    | { readonly kind: 'drop'; readonly segment: Segment; readonly reason: LossReason | 'dropped by the learner' | 'accept queue full' }
    | ({ readonly kind: 'timer'; readonly timer: TimerName } & Reaction)
    | ({ readonly kind: 'app'; readonly call: ScriptCall; readonly result: CallResult } & Reaction)
  );

/** A persistent list, newest first, so every world shares its predecessors' log. */
export type EventLog = { readonly event: WorldEvent; readonly prev: EventLog } | undefined;

export type World = {
  readonly step: number;
  readonly clock: Clock;
  readonly rng: RngState;
  readonly network: Network;
  readonly clients: readonly ClientHost[];
  readonly server: ServerHost;
  readonly nextSegmentId: number;
  /** The ISS the next server-side connection takes; drawn from the rng when undefined. */
  readonly serverIss: number | undefined;
  /** What happened in the step that produced this world. */
  readonly event: WorldEvent;
  readonly log: EventLog;
};

export type WorldAction = { readonly kind: 'deliver'; readonly segmentId: number } | { readonly kind: 'drop'; readonly segmentId: number };

export function newAppRun(lines: readonly ScriptLine[]): AppRun {
  return {
    lines,
    pc: 0,
    readyAt: lines[0]?.after ?? 0,
    waitingForConnect: false,
    failed: undefined,
    sent: '',
    received: '',
  };
}

export type WorldInit = {
  readonly rng: RngState;
  readonly network: Network;
  readonly clients: readonly ClientHost[];
  readonly server: ServerHost;
  readonly serverIss: number | undefined;
  readonly explanation: string;
  readonly listened?: Transition;
  /** Segments already in the network when the run starts, such as an old duplicate. */
  readonly inFlight?: readonly SegmentDraft[];
};

export function createWorld(init: WorldInit): World {
  const event: WorldEvent = {
    kind: 'start',
    at: 0,
    host: { side: 'server', remotePort: undefined },
    transition: init.listened,
    explanation: init.explanation,
  };
  const rng = createRng(init.rng);
  let network = init.network;
  (init.inFlight ?? []).forEach((draft, i) => {
    network = transmit(network, { ...draft, id: i + 1 }, 0, rng);
  });
  return {
    step: 0,
    clock: clockAt(0),
    rng: rng.state(),
    network,
    clients: init.clients,
    server: init.server,
    nextSegmentId: (init.inFlight?.length ?? 0) + 1,
    serverIss: init.serverIss,
    event,
    log: { event, prev: undefined },
  };
}

export function eventLog(w: World): WorldEvent[] {
  const out: WorldEvent[] = [];
  for (let l = w.log; l !== undefined; l = l.prev) out.push(l.event);
  return out.reverse();
}

export function endpointOf(w: World, host: HostRef): Endpoint | undefined {
  if (host.side === 'client') return w.clients[host.index]?.endpoint;
  return host.remotePort === undefined ? w.server.listener.socket : connectionFor(w.server.listener, host.remotePort);
}

export function hostName(w: World, host: HostRef): string {
  if (host.side === 'client') return w.clients[host.index]?.name ?? 'client';
  if (host.remotePort !== undefined) return `${w.server.name} (connection from port ${host.remotePort})`;
  const socket = w.server.listener.socket;
  if (socket.state === 'LISTEN') return `${w.server.name} (listening socket)`;
  if (socket.state === 'CLOSED' && socket.remotePort === 0) return `${w.server.name} (nothing listens on port ${socket.localPort})`;
  return `${w.server.name} (its socket, opened actively)`;
}

function clientIndexForPort(w: World, port: number): number {
  return w.clients.findIndex((c) => c.endpoint.localPort === port);
}

/** The server's end of the connection with this client port: a child of the listener, or the socket itself once it opened actively. */
export function serverEndOf(w: World, clientPort: number): Endpoint | undefined {
  const socket = w.server.listener.socket;
  return connectionFor(w.server.listener, clientPort) ?? (socket.remotePort === clientPort ? socket : undefined);
}

/** Wireshark-style label with sequence numbers relative to the ISNs of this segment's connection. */
export function segmentLabel(w: World, seg: Segment): string {
  const clientPort = seg.from === 'client' ? seg.srcPort : seg.dstPort;
  const client = w.clients[clientIndexForPort(w, clientPort)]?.endpoint;
  const server = serverEndOf(w, clientPort);
  return formatSegment(seg, {
    relativeTo: {
      ...(client !== undefined ? { client: client.iss } : {}),
      ...(server !== undefined ? { server: server.iss } : {}),
    },
    windowShift: { client: client?.rcvShift ?? 0, server: server?.rcvShift ?? 0 },
  });
}

export type Pending =
  | { readonly kind: 'arrival'; readonly at: Micros; readonly item: InFlight }
  | { readonly kind: 'timer'; readonly at: Micros; readonly host: HostRef; readonly timer: TimerName }
  | { readonly kind: 'app'; readonly at: Micros; readonly host: HostRef };

const TIMER_ORDER: readonly TimerName[] = ['retransmit', 'persist', 'time-wait'];

const TIMER_TEXT: Readonly<Record<TimerName, string>> = { retransmit: 'retransmission', persist: 'persist', 'time-wait': 'TIME-WAIT' };

function timersOf(e: Endpoint, host: HostRef, out: Pending[]): void {
  for (const timer of TIMER_ORDER) {
    const at = e.timers[timer];
    if (at !== undefined) out.push({ kind: 'timer', at, host, timer });
  }
}

function appReadyAt(w: World, app: AppRun, host: HostRef): Micros | undefined {
  const line = app.lines[app.pc];
  if (line === undefined || app.failed !== undefined || app.waitingForConnect) return undefined;
  const call = line.call;
  if (call.op === 'recv') {
    const e = endpointOf(w, host.side === 'client' ? host : { side: 'server', remotePort: w.server.current });
    if (e !== undefined && !readable(e) && !e.appClosed) return undefined;
  }
  if (call.op === 'accept' && w.server.listener.acceptQueue.length === 0 && w.server.listener.socket.state === 'LISTEN') return undefined;
  return Math.max(app.readyAt, line.at ?? 0, w.clock.now);
}

/** Every event that could happen next, in the order ties are broken: arrivals, then timers, then app calls. */
export function pendingEvents(w: World): Pending[] {
  const out: Pending[] = [];
  const arrival = nextArrival(w.network);
  if (arrival !== undefined) out.push({ kind: 'arrival', at: arrival.arriveAt, item: arrival });
  w.clients.forEach((c, index) => timersOf(c.endpoint, { side: 'client', index }, out));
  timersOf(w.server.listener.socket, { side: 'server', remotePort: undefined }, out);
  for (const conn of w.server.listener.connections) timersOf(conn, { side: 'server', remotePort: conn.remotePort }, out);
  w.clients.forEach((c, index) => {
    const at = appReadyAt(w, c.app, { side: 'client', index });
    if (at !== undefined) out.push({ kind: 'app', at, host: { side: 'client', index } });
  });
  const at = appReadyAt(w, w.server.app, { side: 'server', remotePort: w.server.current });
  if (at !== undefined) out.push({ kind: 'app', at, host: { side: 'server', remotePort: w.server.current } });
  const rank = { arrival: 0, timer: 1, app: 2 } as const;
  return out
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.at - b.p.at || rank[a.p.kind] - rank[b.p.kind] || a.i - b.i)
    .map(({ p }) => p);
}

export function isFinished(w: World): boolean {
  return pendingEvents(w).length === 0 && (w.network.mode === 'timed' || w.network.inFlight.length === 0);
}

/** The learner's "drop the next segment" switch: changes the network, not the time, so it is no step of its own. */
export function armDropNext(w: World, side: Side | 'any' = 'any'): World {
  return { ...w, network: armDrop(w.network, side) };
}

/** Advances to the next event (or carries out the learner's action) and returns the world after it: one visible thing per step. */
export function step(w: World, action?: WorldAction): World {
  if (action !== undefined) return applyAction(w, action);
  const next = pendingEvents(w)[0];
  if (next === undefined) return w;
  const at = next.at;
  switch (next.kind) {
    case 'arrival':
      return arrive(w, next.item, at);
    case 'timer':
      return fireTimer(w, next.host, next.timer, at);
    case 'app':
      return runApp(w, next.host, at);
  }
}

/** The initial world and every world after it, until nothing is left to happen or maxSteps steps were taken. */
export function trace(w: World, maxSteps: number): World[] {
  const out = [w];
  let cur = w;
  for (let i = 0; i < maxSteps; i++) {
    const nxt = step(cur);
    if (nxt === cur) break;
    out.push(nxt);
    cur = nxt;
  }
  return out;
}

function applyAction(w: World, action: WorldAction): World {
  const { network, item } = takeInFlight(w.network, action.segmentId);
  if (item === undefined) return w;
  if (action.kind === 'drop') {
    return record({ ...w, network }, w.clock.now, {
      kind: 'drop',
      segment: item.segment,
      reason: 'dropped by the learner',
      at: w.clock.now,
      explanation: `${segmentLabel(w, item.segment)} is dropped by the learner: it never reaches the ${item.segment.from === 'client' ? 'server' : 'client'}.`,
    });
  }
  if (w.network.mode !== 'learner') return w;
  return arrive(w, { ...item, lost: undefined }, w.clock.now);
}

function record(w: World, at: Micros, event: WorldEvent): World {
  return { ...w, step: w.step + 1, clock: advanceTo(w.clock, at), event, log: { event, prev: w.log } };
}

type Applied = { readonly world: World; readonly sent: readonly Segment[] };

/** Puts segments on the wire and passes notifications to the app that owns the TCB. */
function applyEffects(w: World, host: HostRef, effects: readonly EndpointEffect[], now: Micros, rng: Rng): Applied {
  let world = w;
  const sent: Segment[] = [];
  for (const fx of effects) {
    if (fx.kind === 'send') {
      const segment: Segment = { ...fx.segment, id: world.nextSegmentId };
      sent.push(segment);
      world = { ...world, nextSegmentId: world.nextSegmentId + 1, network: transmit(world.network, segment, now, rng) };
    } else if (host.side === 'client' && (fx.kind === 'error' || (fx.kind === 'notify' && fx.event === 'connected'))) {
      const client = world.clients[host.index];
      if (client === undefined || !client.app.waitingForConnect) continue;
      const app: AppRun =
        fx.kind === 'error'
          ? { ...client.app, waitingForConnect: false, failed: fx.error }
          : { ...client.app, waitingForConnect: false, readyAt: now + (client.app.lines[client.app.pc]?.after ?? 0) };
      world = withClient(world, host.index, { ...client, app });
    }
  }
  return { world: { ...world, rng: rng.state() }, sent };
}

function withClient(w: World, index: number, client: ClientHost): World {
  return { ...w, clients: w.clients.map((c, i) => (i === index ? client : c)) };
}

function transitionText(t: Transition | undefined): string {
  if (t === undefined) return '';
  return ` [${t.hops.map((hop) => `${hop.from} → ${hop.to}${hop.edge ? `: ${hop.edge.label}` : ''}`).join('; ')}]`;
}

function arrive(w0: World, item: InFlight, at: Micros): World {
  const seg = item.segment;
  const { network } = takeInFlight(w0.network, seg.id);
  const w: World = { ...w0, network, clock: advanceTo(w0.clock, at) };
  const to: Side = seg.from === 'client' ? 'server' : 'client';
  const label = segmentLabel(w0, seg);
  if (item.lost !== undefined) {
    const why = item.lost === 'random loss' ? `random loss, p=${w.network.loss}` : 'dropped on purpose';
    return record(w, at, {
      kind: 'drop',
      segment: seg,
      reason: item.lost,
      at,
      explanation: `${label} from the ${seg.from} is lost in the network (${why}); the ${to} never sees it.`,
    });
  }
  const rng = createRng(w.rng);
  if (to === 'client') {
    const index = clientIndexForPort(w, seg.dstPort);
    const client = w.clients[index];
    if (client === undefined) {
      return record(w, at, { kind: 'drop', segment: seg, reason: 'random loss', at, explanation: `${label} is addressed to no host.` });
    }
    const host: HostRef = { side: 'client', index };
    const r = endpointStep(client.endpoint, { kind: 'segment', segment: seg }, at);
    const applied = applyEffects(withClient(w, index, { ...client, endpoint: r.endpoint }), host, r.effects, at, rng);
    const explanation = `${label} arrives at the ${client.name}. ${r.why}${transitionText(r.transition)}`;
    return record(applied.world, at, { kind: 'deliver', segment: seg, to, host, transition: r.transition, sent: applied.sent, at, explanation });
  }
  const isNewSyn = seg.flags.SYN && !seg.flags.ACK;
  const iss = isNewSyn ? (w.serverIss ?? rng.int(2 ** 32)) : 0;
  const r = listenerStep(w.server.listener, { kind: 'segment', segment: seg, iss }, at);
  const created = r.listener.connections.length > w.server.listener.connections.length;
  const host: HostRef = { side: 'server', remotePort: r.remotePort };
  const base: World = { ...w, server: { ...w.server, listener: r.listener }, serverIss: created ? undefined : w.serverIss };
  if (r.overflow) {
    return record({ ...base, rng: rng.state() }, at, {
      kind: 'drop',
      segment: seg,
      reason: 'accept queue full',
      at,
      explanation: `${label} arrives at the ${w.server.name}. ${r.why}`,
    });
  }
  const applied = applyEffects(base, host, r.effects, at, rng);
  const explanation = `${label} arrives at the ${hostName(base, host)}. ${r.why}${transitionText(r.transition)}`;
  return record(applied.world, at, { kind: 'deliver', segment: seg, to, host, transition: r.transition, sent: applied.sent, at, explanation });
}

function fireTimer(w0: World, host: HostRef, timer: TimerName, at: Micros): World {
  const w: World = { ...w0, clock: advanceTo(w0.clock, at) };
  const rng = createRng(w.rng);
  const name = hostName(w, host);
  if (host.side === 'client') {
    const client = w.clients[host.index];
    if (client === undefined) return w0;
    const r = endpointStep(client.endpoint, { kind: 'timer', timer }, at);
    const applied = applyEffects(withClient(w, host.index, { ...client, endpoint: r.endpoint }), host, r.effects, at, rng);
    const explanation = `The ${TIMER_TEXT[timer]} timer of the ${name} fires. ${r.why}${transitionText(r.transition)}`;
    return record(applied.world, at, { kind: 'timer', timer, host, transition: r.transition, sent: applied.sent, at, explanation });
  }
  const r = listenerStep(w.server.listener, { kind: 'timer', remotePort: host.remotePort, timer }, at);
  const applied = applyEffects({ ...w, server: { ...w.server, listener: r.listener } }, host, r.effects, at, rng);
  const explanation = `The ${TIMER_TEXT[timer]} timer of the ${name} fires. ${r.why}${transitionText(r.transition)}`;
  return record(applied.world, at, { kind: 'timer', timer, host, transition: r.transition, sent: applied.sent, at, explanation });
}

function callText(call: ScriptCall): string {
  switch (call.op) {
    case 'listen':
      return `listen(backlog=${call.backlog})`;
    case 'send': {
      const text = utf8Text(call.data.slice(0, 24));
      return `send(${JSON.stringify(call.data.length > 24 ? `${text}…` : text)}, ${call.data.length} bytes)`;
    }
    case 'recv':
      return `recv(${call.max})`;
    case 'shutdown':
      return 'shutdown(SHUT_WR)';
    case 'abort':
      return 'close() with SO_LINGER 0';
    case 'close-listener':
      return 'close() on the listening socket';
    default:
      return `${call.op}()`;
  }
}

function resultText(call: ScriptCall, result: CallResult): string {
  if (!result.ok) return `fails with ${result.error}`;
  if (call.op === 'connect') return 'blocks until the handshake completes';
  if (result.eof) return 'returns b"" (EOF)';
  if (result.data !== undefined) return `returns ${result.data.length} bytes`;
  if (result.bytes !== undefined) return `returns ${result.bytes}`;
  return 'returns';
}

/** Moves the program on after a call: to the next line, or the same one for a recv loop, or stops it on an error. */
function advanceApp(app: AppRun, call: ScriptCall, result: CallResult, now: Micros): AppRun {
  if (!result.ok) return { ...app, failed: result.error };
  const sent = call.op === 'send' ? app.sent + call.data : app.sent;
  const received = app.received + (result.data ?? '');
  if (call.op === 'recv' && call.untilEof && !result.eof) return { ...app, sent, received, readyAt: now };
  const pc = app.pc + 1;
  return { ...app, pc, sent, received, waitingForConnect: call.op === 'connect', readyAt: now + (app.lines[pc]?.after ?? 0) };
}

function resultOf(effects: readonly EndpointEffect[]): CallResult {
  for (const fx of effects) if (fx.kind === 'result') return fx.result;
  return { ok: true };
}

function runApp(w0: World, host: HostRef, at: Micros): World {
  const w: World = { ...w0, clock: advanceTo(w0.clock, at) };
  const rng = createRng(w.rng);
  if (host.side === 'client') {
    const client = w.clients[host.index];
    const line = client?.app.lines[client.app.pc];
    if (client === undefined || line === undefined) return w0;
    const call = line.call;
    const appCall = call.op === 'recv' ? { op: 'recv' as const, max: call.max } : call;
    if (appCall.op === 'listen' || appCall.op === 'accept' || appCall.op === 'close-listener') return w0;
    const r = endpointStep(client.endpoint, { kind: 'app', call: appCall }, at);
    const result = resultOf(r.effects);
    const moved = withClient(w, host.index, { ...client, endpoint: r.endpoint, app: advanceApp(client.app, call, result, at) });
    const applied = applyEffects(moved, host, r.effects, at, rng);
    const explanation = `The ${client.name} calls ${callText(call)}, which ${resultText(call, result)}. ${r.why}${transitionText(r.transition)}`;
    return record(applied.world, at, { kind: 'app', call, result, host, transition: r.transition, sent: applied.sent, at, explanation });
  }
  const server = w.server;
  const line = server.app.lines[server.app.pc];
  if (line === undefined) return w0;
  const call = line.call;
  const r =
    call.op === 'listen'
      ? listenerStep(server.listener, { kind: 'listen', backlog: call.backlog }, at)
      : call.op === 'accept'
        ? listenerStep(server.listener, { kind: 'accept' }, at)
        : call.op === 'close-listener'
          ? listenerStep(server.listener, { kind: 'close' }, at)
          : listenerStep(
              server.listener,
              { kind: 'app', remotePort: server.current, call: call.op === 'recv' ? { op: 'recv', max: call.max } : call },
              at,
            );
  const result = resultOf(r.effects);
  const current = call.op === 'accept' && result.ok ? r.remotePort : server.current;
  const ref: HostRef = { side: 'server', remotePort: call.op === 'accept' ? current : r.remotePort };
  const moved: World = {
    ...w,
    server: { ...server, listener: r.listener, current, app: advanceApp(server.app, call, result, at) },
  };
  const applied = applyEffects(moved, ref, r.effects, at, rng);
  const explanation = `The ${server.name} calls ${callText(call)}, which ${resultText(call, result)}. ${r.why}${transitionText(r.transition)}`;
  return record(applied.world, at, { kind: 'app', call, result, host: ref, transition: r.transition, sent: applied.sent, at, explanation });
}
