import type { SocketInfo } from '../protocol/messages.ts';
import { table } from './text-table.ts';

type Column = { header: string; cell: (info: SocketInfo) => string };

/** The host every sandbox socket uses; a narrow table shows only the port after it. */
const LOOPBACK = '127.0.0.1:';

const port = (address: string | undefined): string =>
  address?.startsWith(LOOPBACK) === true ? `:${address.slice(LOOPBACK.length)}` : (address ?? '');

const role = (info: SocketInfo): string => {
  if (info.role === 'listener') return `${info.server ?? ''} listen`;
  if (info.role === 'client') return 'client';
  return `${info.server ?? 'server'}←${info.peer ?? '?'}`;
};

const ID: Column = { header: 'ID', cell: (info) => info.socket };
const ROLE: Column = { header: 'ROLE', cell: role };
const STATE: Column = { header: 'STATE', cell: (info) => info.state };
const LOCAL: Column = { header: 'LOCAL', cell: (info) => info.local ?? '' };
const PEER: Column = { header: 'PEER', cell: (info) => info.remote ?? '*' };
const LOCAL_PORT: Column = { header: 'LOCAL', cell: (info) => port(info.local) };
const PEER_PORT: Column = { header: 'PEER', cell: (info) => (info.remote === undefined ? '*' : port(info.remote)) };
const BYTES: Column = { header: 'IN/OUT', cell: (info) => (info.socket === '-' ? '' : `${info.bytesIn}/${info.bytesOut}`) };

type Layout = { columns: readonly Column[]; gap: number; note?: string };

/**
 * From widest to narrowest: a narrow terminal drops the host every address shares, then the peer
 * (a server socket's role names it), then the byte counts, so each socket stays on one row.
 */
const LAYOUTS: readonly Layout[] = [
  { columns: [ID, ROLE, STATE, LOCAL, PEER, BYTES], gap: 2 },
  { columns: [ID, ROLE, STATE, LOCAL_PORT, PEER_PORT, BYTES], gap: 2, note: 'LOCAL and PEER are ports on 127.0.0.1' },
  { columns: [ID, ROLE, STATE, LOCAL_PORT, BYTES], gap: 1, note: 'LOCAL is a port on 127.0.0.1' },
  { columns: [ID, ROLE, STATE], gap: 1 },
];

export type SocketTable = { header: string; rows: string[]; note?: string };

/** `ss` as text that fits `columns`, using the widest layout that does. */
export function socketTable(sockets: readonly SocketInfo[], columns: number): SocketTable {
  const render = (layout: Layout) => table([layout.columns.map((column) => column.header), ...sockets.map((info) => layout.columns.map((column) => column.cell(info)))], layout.gap);
  const fits = (lines: string[]) => lines.every((line) => Array.from(line).length <= columns);
  const narrowest = LAYOUTS[LAYOUTS.length - 1] as Layout;
  const layout = LAYOUTS.find((candidate) => fits(render(candidate))) ?? narrowest;
  const [header = '', ...rows] = render(layout);
  return layout.note === undefined ? { header, rows } : { header, rows, note: layout.note };
}
