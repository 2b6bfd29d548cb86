import { connected } from './kernel.ts';
import { plural } from './show.ts';
import type { LoopWorld } from './world.ts';

/** A client the server is not attending to, and why: what a side-by-side view points at. */
export type ClientWait = { readonly client: string; readonly reason: string };

export function waitingClients(w: LoopWorld): readonly ClientWait[] {
  const out: ClientWait[] = [];
  for (const p of w.kernel.peers) {
    if (p.kind !== 'client' || p.state !== 'established' || p.socket === undefined) continue;
    const s = connected(w.kernel, p.socket);
    if (s === undefined || s.closed) continue;
    if (s.fd === undefined) out.push({ client: p.name, reason: 'connected, but still in the accept queue: accept() has not taken it' });
    else if (s.recvBuffer.length > 0) out.push({ client: p.name, reason: `${plural(s.recvBuffer.length, 'byte')} sent and not read by the server yet` });
    else if (s.peerFin) out.push({ client: p.name, reason: 'has closed, and the server has not noticed yet' });
  }
  return out;
}
