import type { Address, ConnectedSocket, PeerSpec } from './kernel.ts';
import {
  SERVER_HOST,
  SERVER_PORT,
  acceptConnection,
  bindSocket,
  closeSocket,
  connectTo,
  connected,
  findSocket,
  listenSocket,
  openSocket,
  receive,
  setBlocking,
  transmit,
} from './kernel.ts';
import { count, progress, withKernel } from './interpreter.ts';
import type { PyValue } from './py-value.ts';
import { int, socketValue, str, tuple } from './py-value.ts';
import type { LoopWorld } from './world.ts';

/**
 * Python's socket methods over the simulated kernel. A call that cannot finish now
 * blocks a blocking socket and raises BlockingIOError on a non-blocking one.
 */
export type Call<T> =
  | { readonly kind: 'done'; readonly world: LoopWorld; readonly value: T }
  | { readonly kind: 'blocked'; readonly on: string }
  | { readonly kind: 'raised'; readonly world: LoopWorld; readonly error: string };

const BLOCKING_IO_ERROR = 'BlockingIOError: [Errno 11] Resource temporarily unavailable';
/** Python's listen() without a backlog uses min(SOMAXCONN, 128). */
const DEFAULT_BACKLOG = 128;
/** connect_ex() on a non-blocking socket returns EINPROGRESS instead of raising it. */
const EINPROGRESS = 115;

export function sockId(v: PyValue): number {
  if (v.type !== 'socket') throw new TypeError(`expected a socket, got ${v.type}`);
  return v.id;
}

export function fdOf(w: LoopWorld, v: PyValue): number {
  const fd = findSocket(w.kernel, sockId(v))?.fd;
  if (fd === undefined) throw new RangeError('OSError: [Errno 9] Bad file descriptor');
  return fd;
}

function addressValue(a: Address): PyValue {
  return tuple(str(a.host), int(a.port));
}

export const SERVER_ADDRESS: Address = { host: SERVER_HOST, port: SERVER_PORT };

function cannot<T>(w: LoopWorld, v: PyValue, call: string, why: string): Call<T> {
  const s = findSocket(w.kernel, sockId(v));
  if (s?.blocking === false) return { kind: 'raised', world: count(w, { wastedTries: 1 }), error: BLOCKING_IO_ERROR };
  return { kind: 'blocked', on: `${call} on fd ${s?.fd ?? '?'}: ${why}` };
}

export function pySocket(w: LoopWorld): { readonly world: LoopWorld; readonly value: PyValue; readonly fd: number } {
  const r = openSocket(w.kernel);
  return { world: withKernel(w, r.kernel), value: socketValue(r.id), fd: r.fd };
}

export function pyBind(w: LoopWorld, v: PyValue, a: Address): LoopWorld {
  return withKernel(w, bindSocket(w.kernel, sockId(v), a));
}

export function pyListen(w: LoopWorld, v: PyValue): LoopWorld {
  return withKernel(w, listenSocket(w.kernel, sockId(v), DEFAULT_BACKLOG));
}

export function pySetBlocking(w: LoopWorld, v: PyValue, blocking: boolean): LoopWorld {
  return withKernel(w, setBlocking(w.kernel, sockId(v), blocking));
}

export type Accepted = { readonly conn: PyValue; readonly addr: PyValue; readonly socket: ConnectedSocket };

export function pyAccept(w: LoopWorld, v: PyValue): Call<Accepted> {
  const r = acceptConnection(w.kernel, sockId(v));
  if (r.kind === 'wait') return cannot(w, v, 'accept()', r.why);
  const value: Accepted = { conn: socketValue(r.value.id), addr: addressValue(r.value.peer), socket: r.value };
  return { kind: 'done', world: progress(withKernel(w, r.kernel)), value };
}

export function pyRecv(w: LoopWorld, v: PyValue, max: number): Call<string> {
  const r = receive(w.kernel, sockId(v), max);
  if (r.kind === 'wait') return cannot(w, v, `recv(${max})`, r.why);
  return { kind: 'done', world: count(progress(withKernel(w, r.kernel)), { bytesIn: r.value.length }), value: r.value };
}

/** send(): how many bytes the kernel took, which may be fewer than offered. */
export function pySend(w: LoopWorld, v: PyValue, data: string): Call<number> {
  const r = transmit(w.kernel, sockId(v), data);
  if (r.kind === 'wait') return cannot(w, v, 'send()', r.why);
  return { kind: 'done', world: count(progress(withKernel(w, r.kernel)), { bytesOut: r.value }), value: r.value };
}

/**
 * One turn of sendall()'s loop: the bytes that fit now. A blocking socket waits for room for the
 * rest; a non-blocking one raises BlockingIOError as soon as the buffer is full, losing track of the rest.
 */
export function pySendall(w: LoopWorld, v: PyValue, data: string): Call<number> {
  const r = pySend(w, v, data);
  if (r.kind !== 'done' || r.value === data.length) return r;
  const s = connected(r.world.kernel, sockId(v));
  if (s?.blocking === false) return { kind: 'raised', world: count(r.world, { wastedTries: 1 }), error: BLOCKING_IO_ERROR };
  return r;
}

export function pyClose(w: LoopWorld, v: PyValue): LoopWorld {
  const s = findSocket(w.kernel, sockId(v));
  if (s === undefined || s.fd === undefined) return w;
  return progress(withKernel(w, closeSocket(w.kernel, s.id)));
}

/** connect() to a simulated server, which is always listening: the handshake finishes inside the call. */
export function pyConnect(w: LoopWorld, v: PyValue, peer: PeerSpec): LoopWorld {
  return withKernel(w, connectTo(w.kernel, sockId(v), peer, SERVER_ADDRESS, true));
}

/** connect_ex() on a non-blocking socket: the SYN leaves, and the socket turns writable when the handshake completes. */
export function pyConnectEx(w: LoopWorld, v: PyValue, peer: PeerSpec): { readonly world: LoopWorld; readonly value: PyValue } {
  return { world: withKernel(w, connectTo(w.kernel, sockId(v), peer, SERVER_ADDRESS, false)), value: int(EINPROGRESS) };
}
