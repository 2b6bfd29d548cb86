import { heapGet } from '../python/heap.ts';
import type { Kernel } from './kernel.ts';
import { AF_INET6, findSocket, isIpv6 } from './kernel.ts';
import type { PyValue, ReprContext } from './py-value.ts';
import { repr } from './py-value.ts';
import type { LoopWorld } from './world.ts';

/** How values read in explanations and in the locals panel. */
function pyAddress(host: string, port: number): string {
  return isIpv6(host) ? `('${host}', ${port}, 0, 0)` : `('${host}', ${port})`;
}

/** Python's socket repr without family, type and proto, which are the same for every socket here. */
function socketRepr(k: Kernel, id: number): string {
  const s = findSocket(k, id);
  if (s === undefined || s.fd === undefined) return '<socket.socket [closed] fd=-1>';
  const laddr = s.local === undefined ? pyAddress(s.family === AF_INET6 ? '::' : '0.0.0.0', 0) : pyAddress(s.local.host, s.local.port);
  const raddr = s.kind === 'connected' && !s.connecting && s.pair === undefined ? `, raddr=${pyAddress(s.peer.host, s.peer.port)}` : '';
  return `<socket.socket fd=${s.fd}, laddr=${laddr}${raddr}>`;
}

export function reprContext(w: LoopWorld): ReprContext {
  return { socket: (id) => socketRepr(w.kernel, id), heap: (ref) => heapGet(w.heap, ref) };
}

export function show(w: LoopWorld, v: PyValue): string {
  return repr(v, reprContext(w));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
