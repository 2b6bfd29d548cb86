import { formatSegment, type Segment } from '../core/tcp/index.ts';
import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';

/**
 * Turns a session's socket events (and, with --capture, its real captured segments) into a sequence
 * diagram: lifelines (lanes) per connection, rows in time order, arrows between lanes and marks on
 * them. Pure: the same input always gives the same model, so it is rebuilt whenever data arrives.
 *
 * Without capture the handshake is reconstructed from connect()/accept() times, a FIN from the
 * close()/shutdown() that sent it and the read that saw end of stream, and data arrows are what
 * programs wrote; for a connection whose segments were captured, every arrow is a real segment
 * and the programs' calls become marks.
 */

export type LaneKind = 'client' | 'server' | 'outside';

export type Lane = {
  id: string;
  kind: LaneKind;
  /** Socket id, absent for a client outside the browser (the sandbox never sees its socket). */
  socket?: string;
  title: string;
  address?: string;
  /** Index of the connection the lane belongs to; the two lanes of a connection sit side by side. */
  connection: number;
  firstRow: number;
  /** Row of close(), or undefined while the socket is open. */
  lastRow?: number;
};

export type ArrowKind = 'syn' | 'syn-ack' | 'ack' | 'data' | 'fin' | 'rst';

export type Arrow = {
  id: string;
  kind: ArrowKind;
  from: string;
  to: string;
  startRow: number;
  endRow: number;
  label: string;
  /** Drawn from connect()/accept() times rather than seen on the wire. */
  reconstructed: boolean;
  /** The events the arrow stands for, shown when it is clicked. */
  events: SocketEvent[];
  /** A TCP segment (simulated or captured) the arrow draws, for its header fields. */
  segment?: Segment;
  /** Seen on the wire by a packet capture. */
  captured?: boolean;
  /** Lost on the way: drawn ending in a cross. */
  lost?: boolean;
  /** Still travelling: drawn without a head, ending below the last row. */
  inFlight?: boolean;
  /** A sentence for screen readers and the detail panel. */
  description: string;
};

export type Mark = {
  id: string;
  lane: string;
  row: number;
  label: string;
  tone: 'call' | 'error';
  events: SocketEvent[];
};

/** A row of the diagram and the time of the event that made it. */
export type Row = { t: number };

export type SequenceModel = {
  lanes: Lane[];
  arrows: Arrow[];
  marks: Mark[];
  rows: Row[];
  listeners: { socket: string; address: string; server?: string }[];
};

type Connection = {
  index: number;
  clientLane: Lane;
  serverLane?: Lane;
  /** Its segments were captured: draw those, not the reconstruction. */
  captured: boolean;
  /** Bytes written so far, per direction, and writes still waiting for their bytes to be read. */
  pending: Map<string, { arrow: Arrow; end: number }[]>;
  written: Map<string, number>;
  read: Map<string, number>;
  finArrows: Map<string, Arrow>;
};

/** A flow-graph label with its options moved to a second line, so long SYN labels stay readable. */
export function twoLineLabel(text: string): string {
  const split = text.search(/ (MSS|WS|SACK_PERM|TSval)=?/);
  return split < 0 ? text : `${text.slice(0, split)}\n${text.slice(split + 1)}`;
}

export function formatMicros(t: number): string {
  return `${Math.round(t).toLocaleString('en-US').replace(/,/g, '\u2009')} µs`;
}

/** What all the events say about addresses, gathered first so that lanes can be made in any order. */
type Directory = {
  clientByLocal: Map<string, string>;
  localOfClient: Map<string, string>;
  serverByRemote: Map<string, { socket: string; server?: string; local?: string }>;
  listenerAddresses: Set<string>;
};

function directory(events: readonly SocketEvent[]): Directory {
  const found: Directory = { clientByLocal: new Map(), localOfClient: new Map(), serverByRemote: new Map(), listenerAddresses: new Set() };
  for (const event of events) {
    if (event.kind === 'listen' && event.local !== undefined) found.listenerAddresses.add(event.local);
    if (event.role === 'client' && event.kind === 'connected' && event.local !== undefined) {
      found.clientByLocal.set(event.local, event.socket);
      found.localOfClient.set(event.socket, event.local);
    }
    if (event.role === 'server' && event.kind === 'accept' && event.remote !== undefined) {
      found.serverByRemote.set(event.remote, { socket: event.socket, server: event.server, local: event.local });
    }
  }
  return found;
}

/** The client end of a captured segment: whichever end is not one of the session's listeners. */
function clientEnd(segment: CapturedSegment, listeners: ReadonlySet<string>): string {
  return listeners.has(segment.src) ? segment.dst : segment.src;
}

type Numbering = { client?: number; server?: number; clientShift: number; serverShift: number };

/** Each connection's ISNs and window shifts, read off its captured SYNs, for Wireshark-style labels. */
function numbering(segments: readonly CapturedSegment[], listeners: ReadonlySet<string>): Map<string, Numbering> {
  const found = new Map<string, Numbering & { clientWs?: number; serverWs?: number }>();
  for (const segment of segments) {
    if (!segment.flags.SYN) continue;
    const client = clientEnd(segment, listeners);
    const entry = found.get(client) ?? { clientShift: 0, serverShift: 0 };
    if (segment.flags.ACK) {
      entry.server = segment.seq;
      entry.serverWs = segment.options.windowScale;
    } else {
      entry.client = segment.seq;
      entry.clientWs = segment.options.windowScale;
    }
    const both = entry.clientWs !== undefined && entry.serverWs !== undefined;
    entry.clientShift = both ? (entry.clientWs ?? 0) : 0;
    entry.serverShift = both ? (entry.serverWs ?? 0) : 0;
    found.set(client, entry);
  }
  return found;
}

const SEGMENT_KIND = (segment: CapturedSegment): ArrowKind => {
  if (segment.flags.RST) return 'rst';
  if (segment.flags.SYN) return segment.flags.ACK ? 'syn-ack' : 'syn';
  if (segment.flags.FIN) return 'fin';
  return segment.len > 0 ? 'data' : 'ack';
};

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

type Item = { t: number; order: number; event?: SocketEvent; segment?: CapturedSegment };

export function buildSequenceModel(events: readonly SocketEvent[], segments: readonly CapturedSegment[] = []): SequenceModel {
  const dir = directory(events);
  const capturedClients = new Set(segments.map((segment) => clientEnd(segment, dir.listenerAddresses)));
  const isns = numbering(segments, dir.listenerAddresses);
  const lanes: Lane[] = [];
  const arrows: Arrow[] = [];
  const marks: Mark[] = [];
  const rows: Row[] = [];
  const listeners: SequenceModel['listeners'] = [];
  const connections: Connection[] = [];
  const bySocket = new Map<string, { connection: Connection; lane: Lane }>();
  const outsideByAddress = new Map<string, { connection: Connection; lane: Lane }>();

  const addRows = (count: number, t: number): number => {
    const first = rows.length;
    for (let i = 0; i < count; i++) rows.push({ t });
    return first;
  };
  const mark = (lane: Lane, row: number, label: string, evs: SocketEvent[], tone: Mark['tone'] = 'call') =>
    marks.push({ id: `m${marks.length}`, lane: lane.id, row, label, tone, events: evs });
  const arrow = (fields: Omit<Arrow, 'id'>): Arrow => {
    const made = { id: `a${arrows.length}`, ...fields };
    arrows.push(made);
    return made;
  };
  const newLane = (fields: Omit<Lane, 'id' | 'firstRow'>, row: number): Lane => {
    const lane: Lane = { id: fields.socket ?? `outside-${fields.connection}`, firstRow: row, ...fields };
    lanes.push(lane);
    return lane;
  };
  const newConnection = (clientLane: Lane, captured: boolean): Connection => {
    const connection: Connection = {
      index: clientLane.connection,
      clientLane,
      captured,
      pending: new Map(),
      written: new Map(),
      read: new Map(),
      finArrows: new Map(),
    };
    connections.push(connection);
    return connection;
  };
  const peerLane = (connection: Connection, lane: Lane): Lane | undefined =>
    lane === connection.clientLane ? connection.serverLane : connection.clientLane;

  /** The lane of a terminal client socket, made when first needed. */
  const clientLaneOf = (socket: string, row: number): { connection: Connection; lane: Lane } => {
    const known = bySocket.get(socket);
    if (known !== undefined) return known;
    const local = dir.localOfClient.get(socket);
    const lane = newLane({ kind: 'client', socket, title: `${socket} client`, address: local, connection: connections.length }, row);
    const found = { connection: newConnection(lane, local !== undefined && capturedClients.has(local)), lane };
    bySocket.set(socket, found);
    return found;
  };

  /** The client end of a connection by its address: a terminal socket, or a client outside the browser. */
  const clientOf = (address: string, row: number): { connection: Connection; lane: Lane } => {
    const socket = dir.clientByLocal.get(address);
    if (socket !== undefined) return clientLaneOf(socket, row);
    const known = outsideByAddress.get(address);
    if (known !== undefined) return known;
    const lane = newLane({ kind: 'outside', title: 'outside client', address, connection: connections.length }, row);
    const found = { connection: newConnection(lane, capturedClients.has(address)), lane };
    outsideByAddress.set(address, found);
    return found;
  };

  /** The server socket of the connection from `address`, made when first needed. */
  const serverOf = (address: string, row: number): { connection: Connection; lane: Lane } | undefined => {
    const server = dir.serverByRemote.get(address);
    if (server === undefined) return undefined;
    const known = bySocket.get(server.socket);
    if (known !== undefined) return known;
    const { connection } = clientOf(address, row);
    const lane = newLane(
      { kind: 'server', socket: server.socket, title: `${server.socket} ${server.server ?? 'server'}`, address: server.local, connection: connection.index },
      row,
    );
    connection.serverLane = lane;
    const found = { connection, lane };
    bySocket.set(server.socket, found);
    return found;
  };

  /** The three handshake segments between `client` and `server`, starting at `row`. */
  const handshake = (client: Lane, server: Lane, row: number, evs: SocketEvent[], note: string) => {
    const steps: [ArrowKind, Lane, Lane, string][] = [
      ['syn', client, server, 'SYN'],
      ['syn-ack', server, client, 'SYN-ACK'],
      ['ack', client, server, 'ACK'],
    ];
    steps.forEach(([kind, from, to, label], i) =>
      arrow({
        kind,
        from: from.id,
        to: to.id,
        startRow: row + i,
        endRow: row + i + 1,
        label,
        reconstructed: true,
        events: evs,
        description: `${label} from ${from.title} to ${to.title}, reconstructed: ${note}`,
      }),
    );
  };

  const capturedArrow = (segment: CapturedSegment) => {
    const address = clientEnd(segment, dir.listenerAddresses);
    const server = serverOf(address, rows.length);
    const client = clientOf(address, rows.length);
    if (server === undefined) return;
    const row = addRows(1, segment.t);
    const fromClient = segment.src === address;
    const numbers = isns.get(address) ?? { clientShift: 0, serverShift: 0 };
    const asModel: Segment = {
      id: 0,
      from: fromClient ? 'client' : 'server',
      srcPort: portOf(segment.src),
      dstPort: portOf(segment.dst),
      seq: segment.seq,
      ack: segment.ack,
      flags: segment.flags,
      window: segment.window,
      options: segment.options,
      payload: segment.preview,
      len: segment.len,
    };
    const text = formatSegment(asModel, {
      relativeTo: { client: numbers.client, server: numbers.server },
      windowShift: { client: numbers.clientShift, server: numbers.serverShift },
    });
    const label = twoLineLabel(text);
    const from = fromClient ? client.lane : server.lane;
    const to = fromClient ? server.lane : client.lane;
    arrow({
      kind: SEGMENT_KIND(segment),
      from: from.id,
      to: to.id,
      startRow: row,
      endRow: row + 1,
      label,
      reconstructed: false,
      captured: true,
      events: [],
      segment: asModel,
      description: `captured ${segment.src} → ${segment.dst}: ${text}${segment.len > 0 ? ` "${segment.preview}"` : ''}`,
    });
  };

  const items: Item[] = [
    ...events.map((event, order) => ({ t: event.t, order, event })),
    ...segments.map((segment, order) => ({ t: segment.t, order: events.length + order, segment })),
  ].sort((a, b) => a.t - b.t || a.order - b.order);

  for (const item of items) {
    if (item.segment !== undefined) {
      capturedArrow(item.segment);
      continue;
    }
    const event = item.event;
    if (event === undefined) continue;
    const known = bySocket.get(event.socket);
    switch (event.kind) {
      case 'listen':
        if (event.local !== undefined) listeners.push({ socket: event.socket, address: event.local, server: event.server });
        break;
      case 'connect': {
        const row = addRows(1, event.t);
        mark(clientLaneOf(event.socket, row).lane, row, 'connect()', [event]);
        break;
      }
      case 'connected': {
        if (known === undefined) break;
        known.lane.address = event.local;
        if (known.connection.captured) mark(known.lane, addRows(1, event.t), 'connect() returns', [event]);
        break;
      }
      case 'accept': {
        if (event.remote === undefined) break;
        const client = clientOf(event.remote, rows.length);
        const connection = client.connection;
        if (connection.captured) {
          const row = addRows(1, event.t);
          const server = serverOf(event.remote, row);
          if (server !== undefined) mark(server.lane, row, 'accept()', [event]);
          break;
        }
        const evs = [event];
        const terminal = client.lane.kind === 'client';
        if (terminal) {
          const connectEvent = events.find((e) => e.socket === client.lane.socket && e.kind === 'connect');
          const connectedEvent = events.find((e) => e.socket === client.lane.socket && e.kind === 'connected');
          if (connectEvent) evs.unshift(connectEvent);
          if (connectedEvent) evs.splice(evs.length - 1, 0, connectedEvent);
        }
        const row = addRows(4, event.t);
        const server = serverOf(event.remote, row);
        if (server === undefined) break;
        const times = evs.map(
          (e) => `${e.kind === 'accept' ? 'accept()' : e.kind === 'connect' ? 'connect()' : 'connect() returned'} at ${formatMicros(e.t)}`,
        );
        handshake(client.lane, server.lane, row, evs, `the kernel does the handshake unseen; drawn from ${times.join(', ')}`);
        if (terminal) mark(client.lane, row + 2, 'connect() returns', evs.filter((e) => e.kind === 'connected'));
        mark(server.lane, row + 3, 'accept()', [event]);
        break;
      }
      case 'write': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = addRows(1, event.t);
        if (connection.captured) {
          mark(lane, row, `write ${event.bytes ?? 0} B`, [event]);
          break;
        }
        const to = peerLane(connection, lane);
        const end = (connection.written.get(lane.id) ?? 0) + (event.bytes ?? 0);
        connection.written.set(lane.id, end);
        const made = arrow({
          kind: 'data',
          from: lane.id,
          to: to?.id ?? lane.id,
          startRow: row,
          endRow: row + 1,
          label: `${event.bytes ?? 0} B "${event.preview ?? ''}"`,
          reconstructed: false,
          events: [event],
          description: `${lane.title} sent ${event.bytes ?? 0} bytes: "${event.preview ?? ''}"`,
        });
        if (to !== undefined && to.kind !== 'outside') {
          const queue = connection.pending.get(lane.id) ?? [];
          queue.push({ arrow: made, end });
          connection.pending.set(lane.id, queue);
        } else {
          addRows(1, event.t);
        }
        break;
      }
      case 'read': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const from = peerLane(connection, lane);
        const row = addRows(1, event.t);
        mark(lane, row, `recv ${event.bytes ?? 0} B`, [event]);
        if (from === undefined || connection.captured) break;
        if (from.kind === 'outside') {
          arrow({
            kind: 'data',
            from: from.id,
            to: lane.id,
            startRow: row - 1 < from.firstRow ? row : row - 1,
            endRow: row,
            label: `${event.bytes ?? 0} B "${event.preview ?? ''}"`,
            reconstructed: false,
            events: [event],
            description: `${lane.title} received ${event.bytes ?? 0} bytes from the outside client: "${event.preview ?? ''}"`,
          });
          break;
        }
        const total = (connection.read.get(lane.id) ?? 0) + (event.bytes ?? 0);
        connection.read.set(lane.id, total);
        const queue = connection.pending.get(from.id) ?? [];
        while (queue.length > 0 && (queue[0]?.end ?? Infinity) <= total) {
          const done = queue.shift();
          if (done === undefined) break;
          done.arrow.endRow = row;
          done.arrow.events.push(event);
          done.arrow.description += `; ${lane.title} received them with recv()`;
        }
        break;
      }
      case 'shutdown':
      case 'close': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = addRows(1, event.t);
        const sendsFin = event.kind === 'shutdown' || !connection.finArrows.has(lane.id);
        const erred = events.some((e) => e.socket === event.socket && e.kind === 'error' && e.seq < event.seq);
        const to = peerLane(connection, lane);
        if (!connection.captured && sendsFin && !erred && to !== undefined) {
          const fin = arrow({
            kind: 'fin',
            from: lane.id,
            to: to.id,
            startRow: row,
            endRow: row + 1,
            label: 'FIN',
            reconstructed: true,
            events: [event],
            description: `FIN from ${lane.title}, reconstructed: Node never sees the kernel's segment; drawn from ${event.kind === 'shutdown' ? 'shutdown(SHUT_WR)' : 'close()'} at ${formatMicros(event.t)}`,
          });
          connection.finArrows.set(lane.id, fin);
          if (to.kind === 'outside') addRows(1, event.t);
        }
        if (event.kind === 'shutdown') {
          mark(lane, row, 'shutdown(WR)', [event]);
        } else {
          mark(lane, row, 'close()', [event]);
          lane.lastRow = row;
        }
        break;
      }
      case 'fin': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = addRows(1, event.t);
        mark(lane, row, "recv() → b''", [event]);
        if (connection.captured) break;
        const from = peerLane(connection, lane);
        if (from?.kind === 'outside') {
          const fin = arrow({
            kind: 'fin',
            from: from.id,
            to: lane.id,
            startRow: Math.max(from.firstRow, row - 1),
            endRow: row,
            label: 'FIN',
            reconstructed: true,
            events: [event],
            description: `FIN from the outside client, reconstructed: ${lane.title} read end of stream at ${formatMicros(event.t)}`,
          });
          connection.finArrows.set(from.id, fin);
          break;
        }
        const fin = from === undefined ? undefined : connection.finArrows.get(from.id);
        if (fin !== undefined) {
          fin.endRow = row;
          fin.events.push(event);
          fin.description += `; ${lane.title} read end of stream at ${formatMicros(event.t)}`;
        }
        break;
      }
      case 'error': {
        if (known === undefined) break;
        const row = addRows(1, event.t);
        mark(known.lane, row, `${event.error?.code ?? 'error'}`, [event], 'error');
        break;
      }
    }
  }
  for (const lane of lanes) if (lane.kind === 'outside') lane.lastRow = connections[lane.connection]?.serverLane?.lastRow;
  // An arrow whose receiver never read it ends one row below; make room for it.
  const lastRow = Math.max(rows.length - 1, ...arrows.map((a) => a.endRow));
  while (rows.length <= lastRow) rows.push({ t: rows.at(-1)?.t ?? 0 });
  lanes.sort((a, b) => a.connection - b.connection || (a.kind === 'server' ? 1 : 0) - (b.kind === 'server' ? 1 : 0));
  return { lanes, arrows, marks, rows, listeners };
}
