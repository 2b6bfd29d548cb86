import type { SocketEvent } from '../../protocol/events.ts';
import type { LoopInput } from './inputs.ts';

/**
 * Turns the live sandbox's socket events into this simulator's inputs, so the selectors
 * server simulation can be driven by the learner's real traffic. Only the terminal's client
 * sockets matter: the simulated server does its own accepting, reading and writing.
 */

/** Stands for each byte a preview cut off (previews end with '…' when the write was longer). */
export const PREVIEW_PLACEHOLDER = '.';

const ELLIPSIS = '…';
const NAMED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };

/** Reverses the sandbox's preview escaping (`\n`, `\r`, `\t`, `\\`, `\xNN`) into one character per byte. */
export function unescapePreview(preview: string): string {
  const body = preview.endsWith(ELLIPSIS) ? preview.slice(0, -ELLIPSIS.length) : preview;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[i + 1] as string;
    const named = NAMED[e];
    if (named !== undefined) {
      out += named;
      i++;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}

/** The bytes of a write as well as its preview allows: exact when it was not cut, padded with the placeholder to the real count when it was. */
export function bytesFromPreview(preview: string, bytes: number): string {
  const known = unescapePreview(preview).slice(0, bytes);
  return known + PREVIEW_PLACEHOLDER.repeat(bytes - known.length);
}

/**
 * Inputs for a list of sandbox events, in order: connect, send, and one close per socket (at its
 * shutdown or close, whichever comes first). The terminal's clients are followed by their own
 * events. A client from outside the browser (nc in a real shell) has no events of its own: it is
 * seen through the sandbox socket that accepted it, whose remote address is no terminal client's —
 * its reads are what that client sent, and the peer's FIN is its close. It is named by its address.
 */
export function fromSandbox(events: readonly SocketEvent[]): LoopInput[] {
  const out: LoopInput[] = [];
  const open = new Set<string>();
  const terminalAddresses = new Set(events.flatMap((e) => (e.origin === 'terminal' && e.role === 'client' && e.local !== undefined ? [e.local] : [])));
  /** Accepted sandbox socket → the outside client's name (its address). */
  const outside = new Map<string, string>();
  for (const e of events) {
    if (e.origin === 'sandbox' && e.role === 'server') {
      if (e.kind === 'accept' && e.remote !== undefined && !terminalAddresses.has(e.remote) && e.remote.length <= 16) {
        outside.set(e.socket, e.remote);
        out.push({ kind: 'connect', client: e.remote });
      }
      const client = outside.get(e.socket);
      if (client === undefined) continue;
      if (e.kind === 'read' && (e.bytes ?? 0) > 0) out.push({ kind: 'send', client, data: bytesFromPreview(e.preview ?? '', e.bytes ?? 0) });
      else if (e.kind === 'fin' || e.kind === 'close') {
        outside.delete(e.socket);
        out.push({ kind: 'close', client });
      }
      continue;
    }
    if (e.origin !== 'terminal' || e.role !== 'client') continue;
    if (e.kind === 'connect' && !open.has(e.socket)) {
      open.add(e.socket);
      out.push({ kind: 'connect', client: e.socket });
    } else if (e.kind === 'write' && open.has(e.socket) && (e.bytes ?? 0) > 0) {
      out.push({ kind: 'send', client: e.socket, data: bytesFromPreview(e.preview ?? '', e.bytes ?? 0) });
    } else if ((e.kind === 'shutdown' || e.kind === 'close') && open.has(e.socket)) {
      open.delete(e.socket);
      out.push({ kind: 'close', client: e.socket });
    }
  }
  return out;
}
