import type { Kernel } from './kernel.ts';
import { findSocket } from './kernel.ts';
import type { PyValue, ReprContext } from './py-value.ts';
import { repr } from './py-value.ts';
import type { LoopWorld } from './world.ts';

/** How values read in explanations and in the locals panel. */
function pyAddress(host: string, port: number): string {
  return `('${host}', ${port})`;
}

/** Python's socket repr without family, type and proto, which are the same for every socket here. */
function socketRepr(k: Kernel, id: number): string {
  const s = findSocket(k, id);
  if (s === undefined || s.fd === undefined) return '<socket.socket [closed] fd=-1>';
  const laddr = s.local === undefined ? pyAddress('0.0.0.0', 0) : pyAddress(s.local.host, s.local.port);
  const raddr = s.kind === 'connected' && !s.connecting ? `, raddr=${pyAddress(s.peer.host, s.peer.port)}` : '';
  return `<socket.socket fd=${s.fd}, laddr=${laddr}${raddr}>`;
}

export function reprContext(w: LoopWorld): ReprContext {
  return { socket: (id) => socketRepr(w.kernel, id), namespace: (ref) => w.heap[ref] };
}

export function show(w: LoopWorld, v: PyValue): string {
  return repr(v, reprContext(w));
}

/** Who is at the other end of a socket value: "A", "echo 1", or the fd when nobody is. */
export function peerOf(w: LoopWorld, v: PyValue): string {
  if (v.type !== 'socket') return 'nobody';
  const s = findSocket(w.kernel, v.id);
  if (s?.kind === 'connected') return s.peerName;
  return s?.fd === undefined ? 'a closed socket' : `fd ${s.fd}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
