import { formatSegment, type Segment } from '../core/tcp/index.ts';
import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';

/**
 * Turns a session's socket events (and, with --capture, its real captured segments) into a sequence
 * diagram: lifelines (lanes) per connection, rows in time order, arrows between lanes and marks on
 * them. Pure: the same input always gives the same model, and it is built incrementally as data
 * arrives (SequenceBuilder), so a long session costs no more per update than a short one.
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
  /** What a sentence calls the lane, when shorter than its title ("client" for "client :49152"). */
  name?: string;
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

/** An arrow spanning more rows than this is listed in `longArrows`, for a renderer that draws only a window. */
export const LONG_ARROW_ROWS = 4;

export type SequenceModel = {
  lanes: Lane[];
  /** In the order they were made, which is row order to within LONG_ARROW_ROWS. */
  arrows: Arrow[];
  /** The arrows spanning more than LONG_ARROW_ROWS rows (bytes read long after they were sent); absent means "look through all". */
  longArrows?: Arrow[];
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

/** A flow-graph label with its options moved to a second line, so long SYN labels stay readable. */
export function twoLineLabel(text: string): string {
  const split = text.search(/ (MSS|WS|SACK_PERM|TSval)=?/);
  return split < 0 ? text : `${text.slice(0, split)}\n${text.slice(split + 1)}`;
}

/** µs with thin-space thousands, e.g. "1 234 567 µs". By hand: toLocaleString costs an Intl lookup per call, and this runs for every log line. */
export function formatMicros(t: number): string {
  const digits = String(Math.abs(Math.round(t))).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  return `${t < 0 ? '-' : ''}${digits} µs`;
}

/** The client end of a captured segment: whichever end is not one of the session's listeners. */
function clientEnd(segment: CapturedSegment, listeners: ReadonlySet<string>): string {
  return listeners.has(segment.src) ? segment.dst : segment.src;
}

type Numbering = { client?: number; server?: number; clientShift: number; serverShift: number };

const SEGMENT_KIND = (segment: CapturedSegment): ArrowKind => {
  if (segment.flags.RST) return 'rst';
  if (segment.flags.SYN) return segment.flags.ACK ? 'syn-ack' : 'syn';
  if (segment.flags.FIN) return 'fin';
  return segment.len > 0 ? 'data' : 'ack';
};

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

type Item = { t: number; order: number; event?: SocketEvent; segment?: CapturedSegment };

type Place = { connection: Connection; lane: Lane };

/**
 * Builds the model incrementally from a session's events and captured segments, which only ever
 * grow: each update processes what arrived since the last one, so its cost does not grow with the
 * length of the session. Items are drawn in time order; a captured segment that arrives after
 * later items were drawn (capture runs in its own process) makes the builder start over, once.
 */
export class SequenceBuilder {
  #events: readonly SocketEvent[] = [];
  #segments: readonly CapturedSegment[] = [];
  /** How many of the events and segments have arrived in the builder. */
  #eventsIn = 0;
  #segmentsIn = 0;
  /** Arrived but not yet drawn, in time order. */
  #pending: Item[] = [];
  #lastT = Number.NEGATIVE_INFINITY;
  #rebuilds = 0;

  // What the arrived events say about addresses, so lanes can be made whatever order events come in.
  #clientByLocal = new Map<string, string>();
  #localOfClient = new Map<string, string>();
  #serverByRemote = new Map<string, { socket: string; server?: string; local?: string }>();
  #listenerAddresses = new Set<string>();
  #connectOf = new Map<string, SocketEvent>();
  #connectedOf = new Map<string, SocketEvent>();
  /** Terminal sockets whose connect() has neither completed nor failed yet. */
  #connecting = new Set<string>();
  #capturedClients = new Set<string>();
  #numbers = new Map<string, Numbering & { clientWs?: number; serverWs?: number }>();

  // The model as drawn so far.
  #lanes: Lane[] = [];
  #arrows: Arrow[] = [];
  #marks: Mark[] = [];
  #rows: Row[] = [];
  #listeners: SequenceModel['listeners'] = [];
  #connections: Connection[] = [];
  #bySocket = new Map<string, Place>();
  #outsideByAddress = new Map<string, Place>();
  #errored = new Set<string>();
  #lastEndRow = -1;
  #longArrows: Arrow[] = [];

  /** Times the builder started over because an item arrived out of time order. */
  get rebuilds(): number {
    return this.#rebuilds;
  }

  /**
   * Takes the session's events and segments so far (the same arrays, grown, or new ones for a new
   * session) and returns the model. The model's arrays are the builder's own: read them, do not keep
   * them across updates.
   */
  update(events: readonly SocketEvent[], segments: readonly CapturedSegment[] = []): SequenceModel {
    if (events !== this.#events || segments !== this.#segments) {
      const grown = events.length >= this.#eventsIn && segments.length >= this.#segmentsIn;
      const sameStart =
        grown &&
        (this.#eventsIn === 0 || events[0] === this.#events[0]) &&
        (this.#segmentsIn === 0 || segments[0] === this.#segments[0]);
      if (!sameStart) this.#reset();
      this.#events = events;
      this.#segments = segments;
    }
    const arrived: Item[] = [];
    for (; this.#eventsIn < events.length; this.#eventsIn++) {
      const event = events[this.#eventsIn] as SocketEvent;
      this.#learn(event);
      arrived.push({ t: event.t, order: this.#eventsIn, event });
    }
    for (; this.#segmentsIn < segments.length; this.#segmentsIn++) {
      const segment = segments[this.#segmentsIn] as CapturedSegment;
      this.#learnSegment(segment);
      arrived.push({ t: segment.t, order: 2 ** 40 + this.#segmentsIn, segment });
    }
    if (arrived.length > 0) {
      if (arrived.some((item) => item.t < this.#lastT)) this.#startOver();
      else {
        this.#pending.push(...arrived);
        this.#pending.sort((a, b) => a.t - b.t || a.order - b.order);
      }
      this.#drain();
    }
    return this.#model();
  }

  #reset(): void {
    this.#eventsIn = 0;
    this.#segmentsIn = 0;
    this.#clientByLocal = new Map();
    this.#localOfClient = new Map();
    this.#serverByRemote = new Map();
    this.#listenerAddresses = new Set();
    this.#connectOf = new Map();
    this.#connectedOf = new Map();
    this.#connecting = new Set();
    this.#capturedClients = new Set();
    this.#numbers = new Map();
    this.#clearDrawing();
  }

  #clearDrawing(): void {
    this.#pending = [];
    this.#lastT = Number.NEGATIVE_INFINITY;
    this.#lanes = [];
    this.#arrows = [];
    this.#marks = [];
    this.#rows = [];
    this.#listeners = [];
    this.#connections = [];
    this.#bySocket = new Map();
    this.#outsideByAddress = new Map();
    this.#errored = new Set();
    this.#lastEndRow = -1;
    this.#longArrows = [];
  }

  /** Draws everything that has arrived again, in time order. */
  #startOver(): void {
    this.#rebuilds += 1;
    this.#clearDrawing();
    this.#pending = [
      ...this.#events.slice(0, this.#eventsIn).map((event, order) => ({ t: event.t, order, event })),
      ...this.#segments.slice(0, this.#segmentsIn).map((segment, i) => ({ t: segment.t, order: 2 ** 40 + i, segment })),
    ].sort((a, b) => a.t - b.t || a.order - b.order);
  }

  #learn(event: SocketEvent): void {
    if (event.kind === 'listen' && event.local !== undefined) this.#listenerAddresses.add(event.local);
    if (event.role === 'client') {
      if (event.kind === 'connect') {
        this.#connectOf.set(event.socket, event);
        this.#connecting.add(event.socket);
      } else if (event.kind === 'connected') {
        this.#connecting.delete(event.socket);
        this.#connectedOf.set(event.socket, event);
        if (event.local !== undefined) {
          this.#clientByLocal.set(event.local, event.socket);
          this.#localOfClient.set(event.socket, event.local);
        }
      } else if (event.kind === 'error' || event.kind === 'close') {
        this.#connecting.delete(event.socket);
      }
    }
    if (event.role === 'server' && event.kind === 'accept' && event.remote !== undefined) {
      this.#serverByRemote.set(event.remote, { socket: event.socket, server: event.server, local: event.local });
    }
  }

  #learnSegment(segment: CapturedSegment): void {
    const client = clientEnd(segment, this.#listenerAddresses);
    this.#capturedClients.add(client);
    if (!segment.flags.SYN) return;
    const entry = this.#numbers.get(client) ?? { clientShift: 0, serverShift: 0 };
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
    this.#numbers.set(client, entry);
  }

  /** Draws pending items in order; an accept waits while the terminal socket it may pair with has not said its address. */
  #drain(): void {
    let done = 0;
    for (const item of this.#pending) {
      const event = item.event;
      if (
        event?.kind === 'accept' &&
        event.remote !== undefined &&
        !this.#clientByLocal.has(event.remote) &&
        this.#connecting.size > 0
      ) {
        break;
      }
      this.#lastT = item.t;
      if (item.segment !== undefined) this.#capturedArrow(item.segment);
      else if (event !== undefined) this.#draw(event);
      done += 1;
    }
    this.#pending = done === this.#pending.length ? [] : this.#pending.slice(done);
  }

  #model(): SequenceModel {
    // An arrow whose receiver never read it ends one row below: the diagram has room for it.
    const rows = this.#lastEndRow < this.#rows.length ? this.#rows : [...this.#rows];
    while (rows.length <= this.#lastEndRow) rows.push({ t: rows.at(-1)?.t ?? 0 });
    const lanes = this.#lanes
      .map((lane) =>
        lane.kind === 'outside' ? { ...lane, lastRow: this.#connections[lane.connection]?.serverLane?.lastRow } : lane,
      )
      .sort((a, b) => a.connection - b.connection || (a.kind === 'server' ? 1 : 0) - (b.kind === 'server' ? 1 : 0));
    return { lanes, arrows: this.#arrows, longArrows: this.#longArrows, marks: this.#marks, rows, listeners: this.#listeners };
  }

  #captured(connection: Connection): boolean {
    const lane = connection.clientLane;
    const address =
      lane.kind === 'outside' ? lane.address : lane.socket === undefined ? undefined : this.#localOfClient.get(lane.socket);
    return address !== undefined && this.#capturedClients.has(address);
  }

  #addRows(count: number, t: number): number {
    const first = this.#rows.length;
    for (let i = 0; i < count; i++) this.#rows.push({ t });
    return first;
  }

  #mark(lane: Lane, row: number, label: string, events: SocketEvent[], tone: Mark['tone'] = 'call'): void {
    this.#marks.push({ id: `m${this.#marks.length}`, lane: lane.id, row, label, tone, events });
  }

  #arrow(fields: Omit<Arrow, 'id'>): Arrow {
    const made = { id: `a${this.#arrows.length}`, ...fields };
    this.#arrows.push(made);
    this.#lastEndRow = Math.max(this.#lastEndRow, made.endRow);
    return made;
  }

  /** Moves an arrow's head down to the row where it was received. */
  #end(arrow: Arrow, row: number): void {
    const wasLong = arrow.endRow - arrow.startRow > LONG_ARROW_ROWS;
    arrow.endRow = row;
    this.#lastEndRow = Math.max(this.#lastEndRow, row);
    if (!wasLong && row - arrow.startRow > LONG_ARROW_ROWS) this.#longArrows.push(arrow);
  }

  #newLane(fields: Omit<Lane, 'id' | 'firstRow'>, row: number): Lane {
    const lane: Lane = { id: fields.socket ?? `outside-${fields.connection}`, firstRow: row, ...fields };
    this.#lanes.push(lane);
    return lane;
  }

  #newConnection(clientLane: Lane): Connection {
    const connection: Connection = {
      index: clientLane.connection,
      clientLane,
      pending: new Map(),
      written: new Map(),
      read: new Map(),
      finArrows: new Map(),
    };
    this.#connections.push(connection);
    return connection;
  }

  #peerLane(connection: Connection, lane: Lane): Lane | undefined {
    return lane === connection.clientLane ? connection.serverLane : connection.clientLane;
  }

  /** The lane of a terminal client socket, made when first needed. */
  #clientLaneOf(socket: string, row: number): Place {
    const known = this.#bySocket.get(socket);
    if (known !== undefined) return known;
    const local = this.#localOfClient.get(socket);
    const lane = this.#newLane(
      { kind: 'client', socket, title: `${socket} client`, address: local, connection: this.#connections.length },
      row,
    );
    const found = { connection: this.#newConnection(lane), lane };
    this.#bySocket.set(socket, found);
    return found;
  }

  /** The client end of a connection by its address: a terminal socket, or a client outside the browser. */
  #clientOf(address: string, row: number): Place {
    const socket = this.#clientByLocal.get(address);
    if (socket !== undefined) return this.#clientLaneOf(socket, row);
    const known = this.#outsideByAddress.get(address);
    if (known !== undefined) return known;
    const lane = this.#newLane({ kind: 'outside', title: 'outside client', address, connection: this.#connections.length }, row);
    const found = { connection: this.#newConnection(lane), lane };
    this.#outsideByAddress.set(address, found);
    return found;
  }

  /** The server socket of the connection from `address`, made when first needed. */
  #serverOf(address: string, row: number): Place | undefined {
    const server = this.#serverByRemote.get(address);
    if (server === undefined) return undefined;
    const known = this.#bySocket.get(server.socket);
    if (known !== undefined) return known;
    const { connection } = this.#clientOf(address, row);
    const lane = this.#newLane(
      {
        kind: 'server',
        socket: server.socket,
        title: `${server.socket} ${server.server ?? 'server'}`,
        address: server.local,
        connection: connection.index,
      },
      row,
    );
    connection.serverLane = lane;
    const found = { connection, lane };
    this.#bySocket.set(server.socket, found);
    return found;
  }

  /** The three handshake segments between `client` and `server`, starting at `row`. */
  #handshake(client: Lane, server: Lane, row: number, events: SocketEvent[], note: string): void {
    const steps: [ArrowKind, Lane, Lane, string][] = [
      ['syn', client, server, 'SYN'],
      ['syn-ack', server, client, 'SYN-ACK'],
      ['ack', client, server, 'ACK'],
    ];
    steps.forEach(([kind, from, to, label], i) =>
      this.#arrow({
        kind,
        from: from.id,
        to: to.id,
        startRow: row + i,
        endRow: row + i + 1,
        label,
        reconstructed: true,
        events,
        description: `${label} from ${from.title} to ${to.title}, reconstructed: ${note}`,
      }),
    );
  }

  #capturedArrow(segment: CapturedSegment): void {
    const address = clientEnd(segment, this.#listenerAddresses);
    const server = this.#serverOf(address, this.#rows.length);
    const client = this.#clientOf(address, this.#rows.length);
    if (server === undefined) return;
    const row = this.#addRows(1, segment.t);
    const fromClient = segment.src === address;
    const numbers = this.#numbers.get(address) ?? { clientShift: 0, serverShift: 0 };
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
    const from = fromClient ? client.lane : server.lane;
    const to = fromClient ? server.lane : client.lane;
    this.#arrow({
      kind: SEGMENT_KIND(segment),
      from: from.id,
      to: to.id,
      startRow: row,
      endRow: row + 1,
      label: twoLineLabel(text),
      reconstructed: false,
      captured: true,
      events: [],
      segment: asModel,
      description: `captured ${segment.src} → ${segment.dst}: ${text}${segment.len > 0 ? ` "${segment.preview}"` : ''}`,
    });
  }

  #draw(event: SocketEvent): void {
    const known = this.#bySocket.get(event.socket);
    switch (event.kind) {
      case 'listen':
        if (event.local !== undefined) this.#listeners.push({ socket: event.socket, address: event.local, server: event.server });
        break;
      case 'connect': {
        const row = this.#addRows(1, event.t);
        this.#mark(this.#clientLaneOf(event.socket, row).lane, row, 'connect()', [event]);
        break;
      }
      case 'connected': {
        if (known === undefined) break;
        known.lane.address = event.local;
        if (this.#captured(known.connection)) this.#mark(known.lane, this.#addRows(1, event.t), 'connect() returns', [event]);
        break;
      }
      case 'accept': {
        if (event.remote === undefined) break;
        const client = this.#clientOf(event.remote, this.#rows.length);
        const connection = client.connection;
        if (this.#captured(connection)) {
          const row = this.#addRows(1, event.t);
          const server = this.#serverOf(event.remote, row);
          if (server !== undefined) this.#mark(server.lane, row, 'accept()', [event]);
          break;
        }
        const evs = [event];
        const terminal = client.lane.kind === 'client';
        if (terminal) {
          const socket = client.lane.socket ?? '';
          const connectEvent = this.#connectOf.get(socket);
          const connectedEvent = this.#connectedOf.get(socket);
          if (connectEvent) evs.unshift(connectEvent);
          if (connectedEvent) evs.splice(evs.length - 1, 0, connectedEvent);
        }
        const row = this.#addRows(4, event.t);
        const server = this.#serverOf(event.remote, row);
        if (server === undefined) break;
        const times = evs.map(
          (e) =>
            `${e.kind === 'accept' ? 'accept()' : e.kind === 'connect' ? 'connect()' : 'connect() returned'} at ${formatMicros(e.t)}`,
        );
        this.#handshake(
          client.lane,
          server.lane,
          row,
          evs,
          `the kernel does the handshake unseen; drawn from ${times.join(', ')}`,
        );
        if (terminal)
          this.#mark(
            client.lane,
            row + 2,
            'connect() returns',
            evs.filter((e) => e.kind === 'connected'),
          );
        this.#mark(server.lane, row + 3, 'accept()', [event]);
        break;
      }
      case 'write': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = this.#addRows(1, event.t);
        if (this.#captured(connection)) {
          this.#mark(lane, row, `write ${event.bytes ?? 0} B`, [event]);
          break;
        }
        const to = this.#peerLane(connection, lane);
        const end = (connection.written.get(lane.id) ?? 0) + (event.bytes ?? 0);
        connection.written.set(lane.id, end);
        const made = this.#arrow({
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
          this.#addRows(1, event.t);
        }
        break;
      }
      case 'read': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const from = this.#peerLane(connection, lane);
        const row = this.#addRows(1, event.t);
        this.#mark(lane, row, `recv ${event.bytes ?? 0} B`, [event]);
        if (from === undefined || this.#captured(connection)) break;
        if (from.kind === 'outside') {
          this.#arrow({
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
          this.#end(done.arrow, row);
          done.arrow.events.push(event);
          done.arrow.description += `; ${lane.title} received them with recv()`;
        }
        break;
      }
      case 'shutdown':
      case 'close': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = this.#addRows(1, event.t);
        const sendsFin = event.kind === 'shutdown' || !connection.finArrows.has(lane.id);
        const erred = this.#errored.has(event.socket);
        const to = this.#peerLane(connection, lane);
        if (!this.#captured(connection) && sendsFin && !erred && to !== undefined) {
          const fin = this.#arrow({
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
          if (to.kind === 'outside') this.#addRows(1, event.t);
        }
        if (event.kind === 'shutdown') {
          this.#mark(lane, row, 'shutdown(WR)', [event]);
        } else {
          this.#mark(lane, row, 'close()', [event]);
          lane.lastRow = row;
        }
        break;
      }
      case 'fin': {
        if (known === undefined) break;
        const { connection, lane } = known;
        const row = this.#addRows(1, event.t);
        this.#mark(lane, row, "recv() → b''", [event]);
        if (this.#captured(connection)) break;
        const from = this.#peerLane(connection, lane);
        if (from?.kind === 'outside') {
          const fin = this.#arrow({
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
          this.#end(fin, row);
          fin.events.push(event);
          fin.description += `; ${lane.title} read end of stream at ${formatMicros(event.t)}`;
        }
        break;
      }
      case 'error': {
        this.#errored.add(event.socket);
        if (known === undefined) break;
        const row = this.#addRows(1, event.t);
        this.#mark(known.lane, row, `${event.error?.code ?? 'error'}`, [event], 'error');
        break;
      }
    }
  }
}

/** The model of a whole session at once. */
export function buildSequenceModel(events: readonly SocketEvent[], segments: readonly CapturedSegment[] = []): SequenceModel {
  return new SequenceBuilder().update(events, segments);
}
