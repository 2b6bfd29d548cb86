import { addressText, type ConnectedSocket, type KernelSocket, type LoopWorld, waitText } from '../core/select-loop/index.ts';
import { select, type Selection } from 'd3-selection';
import 'd3-transition';

/**
 * The journal's picture of an event loop: the selector is a waitress watching her tables (the
 * sockets), and the clients sit at them. Each step, she looks at every registered table and
 * serves the ones select() said were ready. A program without a selector has its threads stand
 * at the table they are waiting on instead. Stateless: call again with the next world.
 */

type Table = {
  id: string;
  label: string;
  detail: string;
  queued: boolean;
  readable: boolean;
  writable: boolean;
  registered: string | undefined;
  ready: string | undefined;
  peer: string | undefined;
  recv: number;
  send: number;
};

type Waiter = { id: string; label: string; detail: string; tables: { table: string; text: string; ready: boolean }[] };

const WIDTH = 520;
const ROW = 62;
const TABLE_X = 200;
const TABLE_W = 170;
const CLIENT_X = 44;
const WAITER_X = 460;

function tableOf(world: LoopWorld, socket: KernelSocket, queuedIds: ReadonlySet<number>): Table {
  const registration = world.selector?.registry.find((entry) => entry.sock === socket.id);
  const ready = world.selector?.lastSelect?.find((entry) => entry.sock === socket.id);
  const connected = socket.kind === 'connected' ? (socket as ConnectedSocket) : undefined;
  const queued = queuedIds.has(socket.id);
  const fd = socket.fd === undefined ? 'no fd yet' : `fd ${socket.fd}`;
  const label =
    socket.kind === 'listening'
      ? `${fd} listening`
      : connected !== undefined
        ? connected.pair !== undefined
          ? `${fd} socketpair`
          : `${fd} ↔ ${connected.peerName}`
        : `${fd} new socket`;
  const detail =
    socket.kind === 'listening'
      ? `${socket.local === undefined ? '' : addressText(socket.local)} · queue ${socket.acceptQueue.length}`
      : connected !== undefined
        ? queued
          ? 'in the accept queue'
          : `in ${connected.recvBuffer.length} B · out ${connected.sendBuffer.length} B${connected.closed ? ' · closed' : ''}`
        : '';
  return {
    id: `sock-${socket.id}`,
    label,
    detail,
    queued,
    readable:
      socket.kind === 'listening'
        ? socket.acceptQueue.length > 0
        : (connected?.recvBuffer.length ?? 0) > 0 || connected?.peerFin === true,
    writable: connected !== undefined && !connected.closed && connected.sendBuffer.length < connected.sendCapacity,
    registered: registration?.events.map((name) => name.replace('EVENT_', '')).join('|'),
    ready: ready?.events.map((name) => name.replace('EVENT_', '')).join('|'),
    // A socketpair's other end is in this same process (asyncio's self-pipe): no client is at the end of it.
    peer: connected?.pair === undefined && connected?.peerName !== '' ? connected?.peerName : undefined,
    recv: connected?.recvBuffer.length ?? 0,
    send: connected?.sendBuffer.length ?? 0,
  };
}

export function loopPictureModel(world: LoopWorld): {
  tables: Table[];
  waiters: Waiter[];
  clients: { name: string; state: string }[];
} {
  const queuedIds = new Set(world.kernel.sockets.flatMap((socket) => (socket.kind === 'listening' ? socket.acceptQueue : [])));
  const visible = world.kernel.sockets.filter(
    (socket) => !(socket.kind === 'connected' && socket.closed && socket.fd === undefined),
  );
  const tables = visible.map((socket) => tableOf(world, socket, queuedIds));
  const clients = world.kernel.peers.map((peer) => ({
    name: peer.name,
    state: peer.finSent ? 'closed' : peer.state === 'established' ? 'connected' : peer.state,
  }));
  const waiters: Waiter[] =
    world.selector !== undefined
      ? [
          {
            id: 'selector',
            label: 'selector',
            detail: world.selector.lastSelect === undefined ? 'not called yet' : `${world.selector.lastSelect.length} ready`,
            tables: world.selector.registry.map((entry) => ({
              table: `sock-${entry.sock}`,
              text: entry.events.map((name) => name.replace('EVENT_', '')).join('|'),
              ready: world.selector?.lastSelect?.some((ready) => ready.sock === entry.sock) ?? false,
            })),
          },
        ]
      : world.threads.map((thread) => {
          const fd = thread.wait !== undefined && 'fd' in thread.wait ? thread.wait.fd : undefined;
          const socket = fd === undefined ? undefined : world.kernel.sockets.find((candidate) => candidate.fd === fd);
          return {
            id: `thread-${thread.id}`,
            label: thread.name,
            detail: thread.wait === undefined ? `line ${thread.line}` : `waits: ${waitText(world, thread.wait)}`,
            tables: socket === undefined ? [] : [{ table: `sock-${socket.id}`, text: 'waits', ready: false }],
          };
        });
  return { tables, waiters, clients };
}

export function loopPicture(
  svg: Selection<SVGSVGElement, unknown, null, undefined>,
  world: LoopWorld,
  reducedMotion: boolean,
): void {
  const { tables, waiters, clients } = loopPictureModel(world);
  const rows = Math.max(tables.length, waiters.length, clients.length, 1);
  const height = ROW * rows + 46;
  svg.attr('viewBox', `0 0 ${WIDTH} ${height}`);
  const tableY = new Map(tables.map((table, i) => [table.id, 30 + i * ROW + ROW / 2]));
  const duration = reducedMotion ? 0 : 250;
  const layer = (name: string) => svg.selectAll<SVGGElement, string>(`g.${name}`).data([name]).join('g').attr('class', name);

  svg
    .selectAll<SVGTextElement, string>('text.loop-heading')
    .data(['clients', 'sockets (tables)', world.selector !== undefined ? 'the waitress' : 'threads'])
    .join('text')
    .attr('class', 'loop-heading')
    .attr('x', (_d, i) => [CLIENT_X, TABLE_X + TABLE_W / 2, WAITER_X][i] ?? 0)
    .attr('y', 16)
    .attr('text-anchor', 'middle')
    .text((d) => d);

  const waiterY = (i: number) => 30 + i * ROW + ROW / 2;
  const links = waiters.flatMap((waiter, i) =>
    waiter.tables.map((link) => ({ id: `${waiter.id}>${link.table}`, y1: waiterY(i), y2: tableY.get(link.table) ?? 0, ...link })),
  );
  layer('loop-links')
    .selectAll<SVGLineElement, (typeof links)[number]>('line')
    .data(links, (d) => d.id)
    .join('line')
    .attr('class', (d) => `loop-link${d.ready ? ' is-ready' : ''}`)
    .attr('x1', WAITER_X - 34)
    .attr('x2', TABLE_X + TABLE_W)
    .transition()
    .duration(duration)
    .attr('y1', (d) => d.y1)
    .attr('y2', (d) => d.y2);

  const clientLinks = tables.filter((table) => table.peer !== undefined);
  const clientIndex = new Map(clients.map((client, i) => [client.name, i]));
  layer('loop-client-links')
    .selectAll<SVGLineElement, Table>('line')
    .data(clientLinks, (d) => d.id)
    .join('line')
    .attr('class', (d) => `loop-client-link${d.queued ? ' is-queued' : ''}`)
    .attr('x1', CLIENT_X + 22)
    .attr('x2', TABLE_X)
    .attr('y1', (d) => waiterY(clientIndex.get(d.peer ?? '') ?? 0))
    .attr('y2', (d) => tableY.get(d.id) ?? 0);

  const tableGroups = layer('loop-tables')
    .selectAll<SVGGElement, Table>('g.loop-table')
    .data(tables, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g');
      g.append('rect')
        .attr('width', TABLE_W)
        .attr('height', ROW - 14)
        .attr('rx', 10);
      g.append('text').attr('class', 'loop-table-label').attr('x', 10).attr('y', 19);
      g.append('text').attr('class', 'loop-table-detail').attr('x', 10).attr('y', 36);
      return g;
    })
    .attr(
      'class',
      (d) =>
        `loop-table${d.queued ? ' is-queued' : ''}${d.ready !== undefined ? ' is-ready' : ''}${d.readable ? ' is-readable' : ''}`,
    );
  tableGroups
    .transition()
    .duration(duration)
    .attr('transform', (d) => `translate(${TABLE_X},${(tableY.get(d.id) ?? 0) - (ROW - 14) / 2})`);
  tableGroups.select('.loop-table-label').text((d) => (d.ready !== undefined ? `${d.label} · ${d.ready}!` : d.label));
  tableGroups.select('.loop-table-detail').text((d) => d.detail);

  const clientGroups = layer('loop-clients')
    .selectAll<SVGGElement, { name: string; state: string }>('g.loop-client')
    .data(clients, (d) => d.name)
    .join((enter) => {
      const g = enter.append('g');
      g.append('circle').attr('r', 20);
      g.append('text').attr('class', 'loop-client-name').attr('text-anchor', 'middle').attr('y', 5);
      g.append('text').attr('class', 'loop-client-state').attr('text-anchor', 'middle').attr('y', 34);
      return g;
    })
    .attr('class', (d) => `loop-client is-${d.state}`)
    .attr('transform', (_d, i) => `translate(${CLIENT_X},${waiterY(i)})`);
  clientGroups.select('.loop-client-name').text((d) => d.name);
  clientGroups.select('.loop-client-state').text((d) => d.state);

  const waiterGroups = layer('loop-waiters')
    .selectAll<SVGGElement, Waiter>('g.loop-waiter')
    .data(waiters, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g');
      g.append('circle').attr('r', 30);
      g.append('text').attr('class', 'loop-waiter-name').attr('text-anchor', 'middle').attr('y', 4);
      g.append('text').attr('class', 'loop-waiter-detail').attr('text-anchor', 'middle').attr('y', 44);
      return g;
    })
    .attr('class', 'loop-waiter')
    .attr('transform', (_d, i) => `translate(${WAITER_X},${waiterY(i)})`);
  waiterGroups.select('.loop-waiter-name').text((d) => (d.label.length > 10 ? `${d.label.slice(0, 9)}…` : d.label));
  waiterGroups.select('.loop-waiter-detail').text((d) => (d.detail.length > 28 ? `${d.detail.slice(0, 27)}…` : d.detail));
}

export function mountLoopPicture(container: HTMLElement, label: string): Selection<SVGSVGElement, unknown, null, undefined> {
  return select(container).append('svg').attr('class', 'loop-picture').attr('role', 'img').attr('aria-label', label);
}
