/**
 * The simulated kernel: the program's sockets by fd, and the remote hosts at the
 * other end of each connection. Every function returns a new Kernel and leaves
 * the old one untouched, so each step of a run keeps its own.
 */
export type Address = { readonly host: string; readonly port: number };

export const SERVER_HOST = '127.0.0.1';
export const SERVER_PORT = 65432;
const FIRST_CLIENT_PORT = 50001;
/** Linux's default send buffer (net.ipv4.tcp_wmem, middle value). */
export const DEFAULT_SEND_BUFFER = 16_384;
/** Descriptors 0, 1 and 2 are stdin, stdout and stderr, so a process's first socket is fd 3. */
const FIRST_FD = 3;

/** An IPv6 host has colons: such an address is written [::1]:50002. */
export function isIpv6(host: string): boolean {
  return host.includes(':');
}

export function addressText(a: Address): string {
  return isIpv6(a.host) ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Python's address families by number, as Linux numbers them. */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** The IPv4 loopback address as an AF_INET6 socket that accepts IPv4 sees it (RFC 4291, IPv4-mapped). */
const MAPPED_LOOPBACK = '::ffff:127.0.0.1';

type SocketCommon = {
  /** Stable across the socket's life; the fd is only the number the process uses for it. */
  readonly id: number;
  /** undefined while a connection waits in an accept queue, and after close() while unsent bytes drain. */
  readonly fd: number | undefined;
  readonly blocking: boolean;
  readonly local: Address | undefined;
  /** AF_INET when absent; AF_INET6 or AF_UNIX (a socketpair) otherwise. */
  readonly family?: number;
  /** settimeout()'s positive value in seconds; absent for None (and for 0, which is blocking: false). */
  readonly timeout?: number;
  /** An AF_INET6 socket with IPV6_V6ONLY set: it does not take IPv4 connections. */
  readonly v6only?: boolean;
};

export type FreshSocket = SocketCommon & { readonly kind: 'socket' };

export type ListeningSocket = SocketCommon & {
  readonly kind: 'listening';
  readonly backlog: number;
  /** Established connections accept() has not taken yet, oldest first, by socket id. */
  readonly acceptQueue: readonly number[];
};

export type ConnectedSocket = SocketCommon & {
  readonly kind: 'connected';
  readonly peer: Address;
  readonly peerName: string;
  /** A non-blocking connect() whose handshake has not completed. */
  readonly connecting: boolean;
  readonly recvBuffer: string;
  /** Bytes handed to send() that the peer has not read yet. */
  readonly sendBuffer: string;
  readonly sendCapacity: number;
  /** The peer's FIN arrived: recv() returns b'' once recvBuffer is empty. */
  readonly peerFin: boolean;
  /** The program closed it; the kernel sends the FIN after the last queued byte. */
  readonly closed: boolean;
  /** The peer's RST arrived: the next recv() or send() reports ECONNRESET, later sends EPIPE, later reads EOF. */
  readonly reset: 'pending' | 'reported' | undefined;
  /** The other end of a socketpair() in this same process. */
  readonly pair: number | undefined;
};

export type KernelSocket = FreshSocket | ListeningSocket | ConnectedSocket;

/** client: connects to the program (a server); echo-server and chat-server: what the client programs talk to. */
export type PeerKind = 'client' | 'echo-server' | 'chat-server';

export type Peer = {
  readonly name: string;
  readonly kind: PeerKind;
  readonly address: Address;
  /** The program's socket for this connection; it leaves the table once closed and drained. */
  readonly socket: number | undefined;
  /** reset: the program's side went away with bytes unread (or still queued for accept) and answered with RST. */
  readonly state: 'connecting' | 'established' | 'refused' | 'reset';
  /** Reads only when a drain input says so; everyone else reads whatever arrives at once. */
  readonly slowReader: boolean;
  readonly sent: string;
  readonly received: string;
  readonly finSent: boolean;
  readonly finReceived: boolean;
  /** What the program's recv() calls returned on this connection. */
  readonly readByProgram: string;
  /** What the program's send() and sendall() handed to the kernel on this connection. */
  readonly writtenByProgram: string;
};

export type Kernel = {
  readonly sockets: readonly KernelSocket[];
  readonly peers: readonly Peer[];
  readonly nextSocketId: number;
  readonly nextPort: number;
  readonly sendCapacity: number;
  /** Descriptors held by something other than a socket: an epoll instance. */
  readonly otherFds: readonly number[];
  /** socket.setdefaulttimeout(): what every new socket starts with; absent for None. */
  readonly defaultTimeout?: number;
};

/** The errors Linux reports from these calls, by errno name. */
export type KernelError = 'ECONNRESET' | 'EPIPE' | 'ENOTCONN' | 'EADDRINUSE' | 'ECONNREFUSED' | 'EBADF' | 'EINVAL';

export type Attempt<T> =
  | { readonly kind: 'done'; readonly kernel: Kernel; readonly value: T }
  | { readonly kind: 'wait'; readonly why: string }
  | { readonly kind: 'error'; readonly kernel: Kernel; readonly errno: KernelError };

export function createKernel(sendCapacity: number = DEFAULT_SEND_BUFFER): Kernel {
  return { sockets: [], peers: [], nextSocketId: 1, nextPort: FIRST_CLIENT_PORT, sendCapacity, otherFds: [] };
}

export function findSocket(k: Kernel, id: number): KernelSocket | undefined {
  return k.sockets.find((s) => s.id === id);
}

export function socketByFd(k: Kernel, fd: number): KernelSocket | undefined {
  return k.sockets.find((s) => s.fd === fd);
}

export function findPeer(k: Kernel, name: string): Peer | undefined {
  return k.peers.find((p) => p.name === name);
}

export function connected(k: Kernel, id: number): ConnectedSocket | undefined {
  const s = findSocket(k, id);
  return s?.kind === 'connected' ? s : undefined;
}

function mustFind(k: Kernel, id: number): KernelSocket {
  const s = findSocket(k, id);
  if (s === undefined) throw new RangeError(`no socket ${id} in the kernel`);
  return s;
}

function replaceSocket(k: Kernel, next: KernelSocket): Kernel {
  return { ...k, sockets: k.sockets.map((s) => (s.id === next.id ? next : s)) };
}

function replacePeer(k: Kernel, name: string, patch: Partial<Peer>): Kernel {
  return { ...k, peers: k.peers.map((p) => (p.name === name ? { ...p, ...patch } : p)) };
}

function removeSocket(k: Kernel, id: number): Kernel {
  return { ...k, sockets: k.sockets.filter((s) => s.id !== id) };
}

/** POSIX hands out the lowest free descriptor, so a closed fd's number comes back with the next socket. */
function lowestFreeFd(k: Kernel): number {
  const used = new Set<number | undefined>([...k.sockets.map((s) => s.fd), ...k.otherFds]);
  let fd = FIRST_FD;
  while (used.has(fd)) fd++;
  return fd;
}

/** A new socket object's timeout, from socket.setdefaulttimeout(): None blocks, 0 does not, more waits that long. */
function defaultMode(k: Kernel): { readonly blocking: boolean; readonly timeout?: number } {
  if (k.defaultTimeout === undefined) return { blocking: true };
  return k.defaultTimeout === 0 ? { blocking: false } : { blocking: true, timeout: k.defaultTimeout };
}

export function openSocket(k: Kernel, family: number = AF_INET): { readonly kernel: Kernel; readonly id: number; readonly fd: number } {
  const fd = lowestFreeFd(k);
  const id = k.nextSocketId;
  const s: FreshSocket = { kind: 'socket', id, fd, local: undefined, ...(family === AF_INET ? {} : { family }), ...defaultMode(k) };
  return { kernel: { ...k, sockets: [...k.sockets, s], nextSocketId: id + 1 }, id, fd };
}

/** epoll_create(): an fd that is not a socket. */
export function openOtherFd(k: Kernel): { readonly kernel: Kernel; readonly fd: number } {
  const fd = lowestFreeFd(k);
  return { kernel: { ...k, otherFds: [...k.otherFds, fd] }, fd };
}

export function closeOtherFd(k: Kernel, fd: number): Kernel {
  return { ...k, otherFds: k.otherFds.filter((x) => x !== fd) };
}

export function bindSocket(k: Kernel, id: number, local: Address): Kernel {
  return replaceSocket(k, { ...mustFind(k, id), local });
}

/** Another open socket already bound to the port: bind() fails with EADDRINUSE (SO_REUSEADDR only helps against TIME-WAIT). */
export function portInUse(k: Kernel, port: number): boolean {
  return k.sockets.some((s) => s.fd !== undefined && s.kind !== 'connected' && s.local?.port === port);
}

export function listenSocket(k: Kernel, id: number, backlog: number): Kernel {
  const s = mustFind(k, id);
  const { kind: _kind, ...common } = s as FreshSocket;
  return replaceSocket(k, { ...common, kind: 'listening', backlog, acceptQueue: [] });
}

/** setblocking(): True means no timeout, False a timeout of 0 (CPython keeps the two in one field). */
export function setBlocking(k: Kernel, id: number, blocking: boolean): Kernel {
  const { timeout: _timeout, ...s } = mustFind(k, id);
  return replaceSocket(k, { ...s, blocking });
}

/** settimeout(): None blocks without limit, 0 is non-blocking, a positive number of seconds bounds each wait. */
export function setTimeoutOf(k: Kernel, id: number, seconds: number | undefined): Kernel {
  const { timeout: _timeout, ...s } = mustFind(k, id);
  return replaceSocket(k, seconds === undefined || seconds === 0 ? { ...s, blocking: seconds === undefined } : { ...s, blocking: true, timeout: seconds });
}

export function setDefaultTimeout(k: Kernel, seconds: number | undefined): Kernel {
  const { defaultTimeout: _d, ...rest } = k;
  return seconds === undefined ? rest : { ...rest, defaultTimeout: seconds };
}

/** setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, flag). */
export function setV6Only(k: Kernel, id: number, v6only: boolean): Kernel {
  return replaceSocket(k, { ...mustFind(k, id), v6only });
}

export function listenerOn(k: Kernel, port: number): ListeningSocket | undefined {
  return k.sockets.find((s): s is ListeningSocket => s.kind === 'listening' && s.local?.port === port);
}

/** Linux's sk_stream_is_writeable: free space at least half of what is queued, so a nearly full buffer stays quiet. */
export function writableSocket(s: ConnectedSocket): boolean {
  const queued = s.sendBuffer.length;
  const free = s.sendCapacity - queued;
  return !s.connecting && !s.closed && free > 0 && free >= queued >> 1;
}

export type Readiness = { readonly readable: boolean; readonly writable: boolean };

/** What poll/epoll would report for this socket right now. */
export function readiness(k: Kernel, id: number): Readiness {
  const s = findSocket(k, id);
  if (s === undefined || s.fd === undefined) return { readable: false, writable: false };
  if (s.kind === 'listening') return { readable: s.acceptQueue.length > 0, writable: false };
  if (s.kind === 'socket') return { readable: false, writable: false };
  if (s.reset !== undefined) return { readable: true, writable: true };
  return { readable: !s.connecting && (s.recvBuffer.length > 0 || s.peerFin), writable: writableSocket(s) };
}

/** Why a socket is readable, in words: "2 bytes to read", "the peer's FIN (EOF)", "2 connections waiting". */
export function readableText(k: Kernel, id: number): string {
  const s = findSocket(k, id);
  if (s?.kind === 'listening') return `${s.acceptQueue.length} connection${s.acceptQueue.length === 1 ? '' : 's'} waiting in its accept queue`;
  if (s?.kind !== 'connected') return 'nothing to read';
  if (s.recvBuffer.length > 0) return `${s.recvBuffer.length} byte${s.recvBuffer.length === 1 ? '' : 's'} to read`;
  return s.peerFin ? "the peer's FIN to read (EOF)" : 'nothing to read';
}

export function writableText(s: ConnectedSocket): string {
  const free = s.sendCapacity - s.sendBuffer.length;
  return `room to write (${s.sendBuffer.length === 0 ? 'its send buffer is empty' : `${free} of ${s.sendCapacity} bytes free`})`;
}

/** The peer reads whatever is queued for it: at once for a prompt reader, up to `limit` bytes for a drain input. */
function deliver(k: Kernel, id: number, limit: number): Kernel {
  const s = connected(k, id);
  if (s === undefined) return k;
  const peer = findPeer(k, s.peerName);
  if (peer === undefined) return k;
  const n = Math.min(limit, s.sendBuffer.length);
  const next: ConnectedSocket = { ...s, sendBuffer: s.sendBuffer.slice(n) };
  let out = replacePeer(replaceSocket(k, next), peer.name, { received: peer.received + s.sendBuffer.slice(0, n) });
  if (next.closed && next.sendBuffer.length === 0) {
    out = replacePeer(removeSocket(out, id), peer.name, { finReceived: true });
  }
  return out;
}

export function acceptConnection(k: Kernel, listenerId: number): Attempt<ConnectedSocket> {
  const l = mustFind(k, listenerId);
  if (l.kind !== 'listening') return { kind: 'error', kernel: k, errno: 'EINVAL' };
  const [first, ...rest] = l.acceptQueue;
  if (first === undefined) return { kind: 'wait', why: 'no connection in the accept queue' };
  const conn = connected(k, first);
  if (conn === undefined) throw new RangeError(`queued connection ${first} is missing`);
  // accept() returns a socket with the default timeout (None: blocking) whatever the listener's: CPython sets it afresh.
  const { timeout: _timeout, ...untimed } = conn;
  const taken: ConnectedSocket = { ...untimed, fd: lowestFreeFd(k), ...defaultMode(k) };
  const kernel = replaceSocket(replaceSocket(k, { ...l, acceptQueue: rest }), taken);
  return { kind: 'done', kernel, value: taken };
}

/** recv(): up to `max` bytes, or '' for EOF once the peer's FIN is the only thing left. */
export function receive(k: Kernel, id: number, max: number): Attempt<string> {
  const s = connected(k, id);
  if (s === undefined) return { kind: 'error', kernel: k, errno: 'ENOTCONN' };
  if (s.reset === 'pending') return { kind: 'error', kernel: replaceSocket(k, { ...s, reset: 'reported' }), errno: 'ECONNRESET' };
  if (s.recvBuffer.length === 0) {
    if (s.peerFin || s.reset === 'reported') return { kind: 'done', kernel: k, value: '' };
    return { kind: 'wait', why: 'no data has arrived and the peer has not closed' };
  }
  const data = s.recvBuffer.slice(0, max);
  const peer = s.pair === undefined ? findPeer(k, s.peerName) : undefined;
  let kernel = replaceSocket(k, { ...s, recvBuffer: s.recvBuffer.slice(data.length) });
  if (peer !== undefined) kernel = replacePeer(kernel, peer.name, { readByProgram: peer.readByProgram + data });
  return { kind: 'done', kernel, value: data };
}

/** send(): copies as many bytes as the send buffer has room for and returns the count. */
export function transmit(k: Kernel, id: number, data: string): Attempt<number> {
  const s = connected(k, id);
  if (s === undefined) return { kind: 'error', kernel: k, errno: 'ENOTCONN' };
  if (s.reset === 'pending') return { kind: 'error', kernel: replaceSocket(k, { ...s, reset: 'reported' }), errno: 'ECONNRESET' };
  if (s.reset === 'reported') return { kind: 'error', kernel: k, errno: 'EPIPE' };
  if (s.pair !== undefined) {
    const other = connected(k, s.pair);
    if (other === undefined || other.fd === undefined) return { kind: 'error', kernel: k, errno: 'EPIPE' };
    return { kind: 'done', kernel: replaceSocket(k, { ...other, recvBuffer: other.recvBuffer + data }), value: data.length };
  }
  const free = s.sendCapacity - s.sendBuffer.length;
  if (free <= 0) return { kind: 'wait', why: `the send buffer is full (${s.sendBuffer.length} of ${s.sendCapacity} bytes)` };
  const chunk = data.slice(0, free);
  const peer = findPeer(k, s.peerName);
  let kernel = replaceSocket(k, { ...s, sendBuffer: s.sendBuffer + chunk });
  if (peer !== undefined) {
    kernel = replacePeer(kernel, peer.name, { writtenByProgram: peer.writtenByProgram + chunk });
    if (!peer.slowReader) kernel = deliver(kernel, id, Infinity);
  }
  return { kind: 'done', kernel, value: chunk.length };
}

/** Linux answers with RST and throws both buffers away. */
function reset(k: Kernel, ids: readonly number[]): Kernel {
  const names = k.sockets.flatMap((x) => (x.kind === 'connected' && ids.includes(x.id) ? [x.peerName] : []));
  return {
    ...k,
    sockets: k.sockets.filter((x) => !ids.includes(x.id)),
    peers: k.peers.map((p) => (names.includes(p.name) ? { ...p, state: 'reset' } : p)),
  };
}

/**
 * close(): the fd is free at once. A connection's FIN follows its last unsent byte (Linux keeps
 * the socket until then), unless bytes were left unread: then, as on Linux, it is reset. Closing a
 * listener resets the connections still in its accept queue.
 */
export function closeSocket(k: Kernel, id: number): Kernel {
  const s = mustFind(k, id);
  if (s.kind === 'listening') return reset({ ...k, sockets: k.sockets.filter((x) => x.id !== id) }, s.acceptQueue);
  if (s.kind === 'socket') return removeSocket(k, id);
  if (s.pair !== undefined) {
    const other = connected(k, s.pair);
    const rest = removeSocket(k, id);
    // The survivor reads EOF and its sends fail with EPIPE, as a socketpair's do once the other end is closed.
    return other === undefined ? rest : replaceSocket(rest, { ...other, peerFin: true, reset: 'reported' });
  }
  if (s.reset !== undefined) return removeSocket(k, id);
  if (s.recvBuffer.length > 0) return reset(k, [id]);
  return deliver(replaceSocket(k, { ...s, fd: undefined, closed: true }), id, 0);
}

export type PeerSpec = { readonly name: string; readonly kind: PeerKind; readonly slowReader: boolean };

function newPeer(spec: PeerSpec, address: Address, socket: number | undefined, state: Peer['state']): Peer {
  return {
    name: spec.name,
    kind: spec.kind,
    address,
    socket,
    state,
    slowReader: spec.slowReader,
    sent: '',
    received: '',
    finSent: false,
    finReceived: false,
    readByProgram: '',
    writtenByProgram: '',
  };
}

/**
 * Which addresses a connection from 127.0.0.1 (or ::1, with `ipv6`) to listener `l` has, or undefined
 * when `l` does not take it. An AF_INET6 listener on :: without IPV6_V6ONLY takes IPv4 too, and sees
 * the client as ::ffff:127.0.0.1; an AF_INET listener takes IPv4 only.
 */
function connectionAddresses(l: ListeningSocket, ipv6: boolean, port: number): { readonly local: Address | undefined; readonly from: string } | undefined {
  const host = l.local?.host ?? '';
  if (l.family !== AF_INET6) return ipv6 ? undefined : { local: l.local, from: SERVER_HOST };
  if (ipv6) return host === '::' || host === '::1' ? { local: { host: '::1', port }, from: '::1' } : undefined;
  return host === '::' && l.v6only !== true ? { local: { host: MAPPED_LOOPBACK, port }, from: MAPPED_LOOPBACK } : undefined;
}

/**
 * A remote client connects to `port` from 127.0.0.1, or from ::1 with `ipv6`. With a listener there
 * that takes the address family, the kernel completes the handshake on its own and queues the
 * connection; with none, it answers the SYN with RST.
 */
export function clientConnects(k: Kernel, spec: PeerSpec, port: number, address?: Address, ipv6 = false): Kernel {
  const l = listenerOn(k, port);
  const addresses = l === undefined ? undefined : connectionAddresses(l, ipv6, port);
  const from = address ?? { host: addresses?.from ?? (ipv6 ? '::1' : SERVER_HOST), port: k.nextPort };
  const nextPort = address === undefined ? k.nextPort + 1 : k.nextPort;
  if (l === undefined || addresses === undefined) return { ...k, nextPort, peers: [...k.peers, newPeer(spec, from, undefined, 'refused')] };
  const id = k.nextSocketId;
  const conn: ConnectedSocket = {
    kind: 'connected',
    id,
    fd: undefined,
    blocking: true,
    local: addresses.local,
    ...(l.family === undefined ? {} : { family: l.family }),
    peer: from,
    peerName: spec.name,
    connecting: false,
    recvBuffer: '',
    sendBuffer: '',
    sendCapacity: k.sendCapacity,
    peerFin: false,
    closed: false,
    reset: undefined,
    pair: undefined,
  };
  const queued: ListeningSocket = { ...l, acceptQueue: [...l.acceptQueue, id] };
  return {
    ...k,
    sockets: [...k.sockets.map((s) => (s.id === l.id ? queued : s)), conn],
    peers: [...k.peers, newPeer(spec, from, id, 'established')],
    nextSocketId: id + 1,
    nextPort,
  };
}

/** The program's connect(): the socket gets an ephemeral port; `established` says whether the handshake is already done. */
export function connectTo(k: Kernel, id: number, spec: PeerSpec, server: Address, established: boolean): Kernel {
  const s = mustFind(k, id);
  const local: Address = { host: s.family === AF_INET6 ? '::1' : SERVER_HOST, port: k.nextPort };
  const conn: ConnectedSocket = {
    kind: 'connected',
    id: s.id,
    fd: s.fd,
    blocking: s.blocking,
    ...(s.timeout === undefined ? {} : { timeout: s.timeout }),
    ...(s.family === undefined ? {} : { family: s.family }),
    local,
    peer: server,
    peerName: spec.name,
    connecting: !established,
    recvBuffer: '',
    sendBuffer: '',
    sendCapacity: k.sendCapacity,
    peerFin: false,
    closed: false,
    reset: undefined,
    pair: undefined,
  };
  const peer = newPeer(spec, server, id, established ? 'established' : 'connecting');
  return { ...replaceSocket(k, conn), peers: [...k.peers, peer], nextPort: k.nextPort + 1 };
}

/** The server's SYN, ACK arrives for a non-blocking connect(): the socket becomes writable. */
export function completeHandshake(k: Kernel, name: string): Kernel {
  const peer = findPeer(k, name);
  const s = peer?.socket === undefined ? undefined : connected(k, peer.socket);
  if (peer === undefined || s === undefined) return k;
  return replacePeer(replaceSocket(k, { ...s, connecting: false }), name, { state: 'established' });
}

/** Bytes from a peer land in the program's receive buffer (the simulation's receive buffers never fill). */
export function peerSends(k: Kernel, name: string, data: string): Kernel {
  const peer = findPeer(k, name);
  const s = peer?.socket === undefined ? undefined : connected(k, peer.socket);
  if (peer === undefined || s === undefined) return k;
  return replacePeer(replaceSocket(k, { ...s, recvBuffer: s.recvBuffer + data }), name, { sent: peer.sent + data });
}

/** The peer's FIN: after the buffered bytes, recv() will return b''. */
export function peerCloses(k: Kernel, name: string): Kernel {
  const peer = findPeer(k, name);
  if (peer === undefined) return k;
  const s = peer.socket === undefined ? undefined : connected(k, peer.socket);
  const kernel = s === undefined ? k : replaceSocket(k, { ...s, peerFin: true });
  return replacePeer(kernel, name, { finSent: true });
}

/** The peer aborts the connection (SO_LINGER 0, then close): its RST throws both buffers away. */
export function peerResets(k: Kernel, name: string): Kernel {
  const peer = findPeer(k, name);
  if (peer === undefined) return k;
  const s = peer.socket === undefined ? undefined : connected(k, peer.socket);
  const kernel = s === undefined ? k : replaceSocket(k, { ...s, recvBuffer: '', sendBuffer: '', reset: 'pending' });
  return replacePeer(kernel, name, { state: 'reset' });
}

/** socketpair(): two connected sockets in this process, each the other's peer. */
export function openPair(k: Kernel): { readonly kernel: Kernel; readonly ids: readonly [number, number] } {
  const a = openSocket(k, AF_UNIX);
  const b = openSocket(a.kernel, AF_UNIX);
  const local: Address = { host: '', port: 0 };
  const mk = (id: number, fd: number, pair: number): ConnectedSocket => ({
    kind: 'connected',
    id,
    fd,
    family: AF_UNIX,
    ...defaultMode(k),
    local,
    peer: local,
    peerName: '',
    connecting: false,
    recvBuffer: '',
    sendBuffer: '',
    sendCapacity: k.sendCapacity,
    peerFin: false,
    closed: false,
    reset: undefined,
    pair,
  });
  const kernel = replaceSocket(replaceSocket(b.kernel, mk(a.id, a.fd, b.id)), mk(b.id, b.fd, a.id));
  return { kernel, ids: [a.id, b.id] };
}

/** A slow reader's recv() takes up to `n` bytes, making room in the program's send buffer. */
export function peerDrains(k: Kernel, name: string, n: number): Kernel {
  const peer = findPeer(k, name);
  if (peer?.socket === undefined) return k;
  return deliver(k, peer.socket, n);
}
