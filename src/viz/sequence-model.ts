import type { Segment } from '../core/tcp/index.ts';
import type { SocketEvent } from '../protocol/events.ts';

/**
 * Turns a session's socket events into a sequence diagram: lifelines (lanes) per connection,
 * rows in event order, arrows between lanes and marks on them. Pure: the same events always give
 * the same model, so it can be rebuilt from scratch whenever events arrive.
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
  /** Bytes written so far, per direction, and writes still waiting for their bytes to be read. */
  pending: Map<string, { arrow: Arrow; end: number }[]>;
  written: Map<string, number>;
  read: Map<string, number>;
  finArrows: Map<string, Arrow>;
};

export function formatMicros(t: number): string {
  return `${Math.round(t).toLocaleString('en-US').replace(/,/g, '\u2009')} µs`;
}

/** Pairs each accepted socket with the sandbox client whose local address is its remote one. */
function pairSockets(events: readonly SocketEvent[]): Map<string, string> {
  const clientByLocal = new Map<string, string>();
  for (const event of events) {
    if (event.role === 'client' && event.kind === 'connected' && event.local !== undefined)
      clientByLocal.set(event.local, event.socket);
  }
  const peers = new Map<string, string>();
  for (const event of events) {
    if (event.role !== 'server' || event.kind !== 'accept' || event.remote === undefined) continue;
    const client = clientByLocal.get(event.remote);
    if (client !== undefined) {
      peers.set(event.socket, client);
      peers.set(client, event.socket);
    }
  }
  return peers;
}

export function buildSequenceModel(events: readonly SocketEvent[]): SequenceModel {
  const peers = pairSockets(events);
  const lanes: Lane[] = [];
  const arrows: Arrow[] = [];
  const marks: Mark[] = [];
  const rows: Row[] = [];
  const listeners: SequenceModel['listeners'] = [];
  const connections: Connection[] = [];
  const bySocket = new Map<string, { connection: Connection; lane: Lane }>();

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
  const newConnection = (clientLane: Lane): Connection => {
    const connection: Connection = {
      index: clientLane.connection,
      clientLane,
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

  /** The three handshake segments between `client` and `server`, starting at `row`. */
  const handshake = (client: Lane, server: Lane, row: number, evs: SocketEvent[], note: string) => {
    const segments: [ArrowKind, Lane, Lane, string][] = [
      ['syn', client, server, 'SYN'],
      ['syn-ack', server, client, 'SYN-ACK'],
      ['ack', client, server, 'ACK'],
    ];
    segments.forEach(([kind, from, to, label], i) =>
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

  for (const event of events) {
    const known = bySocket.get(event.socket);
    switch (event.kind) {
      case 'listen':
        if (event.local !== undefined) listeners.push({ socket: event.socket, address: event.local, server: event.server });
        break;
      case 'connect': {
        const row = addRows(1, event.t);
        const lane = newLane(
          { kind: 'client', socket: event.socket, title: `${event.socket} client`, connection: connections.length },
          row,
        );
        const connection = newConnection(lane);
        bySocket.set(event.socket, { connection, lane });
        mark(lane, row, 'connect()', [event]);
        break;
      }
      case 'connected': {
        if (known === undefined) break;
        known.lane.address = event.local;
        break;
      }
      case 'accept': {
        const clientSocket = peers.get(event.socket);
        const client = clientSocket === undefined ? undefined : bySocket.get(clientSocket);
        let connection: Connection;
        let clientLane: Lane;
        const evs = [event];
        if (client !== undefined) {
          connection = client.connection;
          clientLane = client.lane;
          const connectEvent = events.find((e) => e.socket === clientLane.socket && e.kind === 'connect');
          const connectedEvent = events.find((e) => e.socket === clientLane.socket && e.kind === 'connected');
          if (connectEvent) evs.unshift(connectEvent);
          if (connectedEvent) evs.splice(evs.length - 1, 0, connectedEvent);
        } else {
          const row = rows.length;
          clientLane = newLane(
            { kind: 'outside', title: 'outside client', address: event.remote, connection: connections.length },
            row,
          );
          connection = newConnection(clientLane);
        }
        const row = addRows(4, event.t);
        const serverLane = newLane(
          {
            kind: 'server',
            socket: event.socket,
            title: `${event.socket} ${event.server ?? 'server'}`,
            address: event.local,
            connection: connection.index,
          },
          row,
        );
        connection.serverLane = serverLane;
        bySocket.set(event.socket, { connection, lane: serverLane });
        const times = evs.map(
          (e) =>
            `${e.kind === 'accept' ? 'accept()' : e.kind === 'connect' ? 'connect()' : 'connect() returned'} at ${formatMicros(e.t)}`,
        );
        handshake(clientLane, serverLane, row, evs, `the kernel does the handshake unseen; drawn from ${times.join(', ')}`);
        if (client !== undefined)
          mark(
            clientLane,
            row + 2,
            'connect() returns',
            evs.filter((e) => e.kind === 'connected'),
          );
        mark(serverLane, row + 3, 'accept()', [event]);
        break;
      }
      case 'write': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const to = peerLane(connection, lane);
        const row = addRows(1, event.t);
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
        if (from === undefined) break;
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
        if (sendsFin && !erred && to !== undefined) {
          const fin = arrow({
            kind: 'fin',
            from: lane.id,
            to: to.id,
            startRow: row,
            endRow: row + 1,
            label: 'FIN',
            reconstructed: false,
            events: [event],
            description: `${lane.title} sent FIN with ${event.kind === 'shutdown' ? 'shutdown(SHUT_WR)' : 'close()'}`,
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
        const from = peerLane(connection, lane);
        if (from?.kind === 'outside') {
          const fin = arrow({
            kind: 'fin',
            from: from.id,
            to: lane.id,
            startRow: Math.max(from.firstRow, row - 1),
            endRow: row,
            label: 'FIN',
            reconstructed: false,
            events: [event],
            description: `the outside client closed its side; ${lane.title} read end of stream`,
          });
          connection.finArrows.set(from.id, fin);
          break;
        }
        const fin = from === undefined ? undefined : connection.finArrows.get(from.id);
        if (fin !== undefined) {
          fin.endRow = row;
          fin.events.push(event);
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
