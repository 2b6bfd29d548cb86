import type { Address, Attempt, KernelError, PeerSpec } from './kernel.ts';
import {
  acceptConnection,
  bindSocket,
  closeSocket,
  connectTo,
  connected,
  findSocket,
  listenSocket,
  openPair,
  openSocket,
  portInUse,
  receive,
  setBlocking,
  transmit,
} from './kernel.ts';
import type { PyValue } from './py-value.ts';
import { NONE, bool, bytes, int, socketValue, str, tuple } from './py-value.ts';
import type { Machine } from '../python/machine.ts';
import { Blocked, PartialCall, PyError } from '../python/machine.ts';
import { exc, osError } from '../python/exceptions.ts';
import type { Wait } from '../python/frame.ts';

/**
 * Python's socket module over the simulated kernel. A call that cannot finish now blocks a
 * blocking socket and raises BlockingIOError on a non-blocking one, as CPython does.
 */

/** Python's listen() without a backlog uses min(SOMAXCONN, 128). */
const DEFAULT_BACKLOG = 128;

export const SOCKET_CONSTANTS: Readonly<Record<string, number>> = {
  AF_INET: 2,
  AF_UNIX: 1,
  SOCK_STREAM: 1,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_KEEPALIVE: 9,
  IPPROTO_TCP: 6,
  TCP_NODELAY: 1,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
};

/** The exception class CPython raises for each errno the kernel reports. */
export const ERROR_CLASS: Readonly<Record<KernelError, string>> = {
  ECONNRESET: 'ConnectionResetError',
  EPIPE: 'BrokenPipeError',
  ENOTCONN: 'OSError',
  EADDRINUSE: 'OSError',
  ECONNREFUSED: 'ConnectionRefusedError',
  EBADF: 'OSError',
  EINVAL: 'OSError',
};

export function sockId(v: PyValue): number {
  if (v.type !== 'socket') throw new PyError(exc('TypeError', str(`a socket object is required, not '${v.type}'`)));
  return v.id;
}

/** The fd of an open socket; a closed one raises EBADF as every call on it does in CPython. */
export function fdOf(m: Machine, v: PyValue): number {
  const fd = findSocket(m.world.kernel, sockId(v))?.fd;
  if (fd === undefined) throw new PyError(osError('OSError', 'EBADF'));
  return fd;
}

function withKernel(m: Machine, kernel: typeof m.world.kernel): void {
  if (kernel !== m.world.kernel) m.world = { ...m.world, kernel };
}

/** Something useful happened in this turn of the loop (a connection taken, bytes moved, a socket closed). */
function progress(m: Machine): void {
  if (!m.world.spin.progress) m.world = { ...m.world, spin: { ...m.world.spin, progress: true } };
}

/** The program asked the network for something that was not there yet. */
export function polled(m: Machine): void {
  if (!m.world.spin.polled) m.world = { ...m.world, spin: { ...m.world.spin, polled: true } };
}

function count(m: Machine, key: 'wastedTries' | 'bytesIn' | 'bytesOut' | 'selectCalls', n: number): void {
  if (n !== 0) m.world = { ...m.world, counters: { ...m.world.counters, [key]: m.world.counters[key] + n } };
}

function raiseErrno(m: Machine, call: string, fd: number, errno: KernelError): never {
  const e = osError(ERROR_CLASS[errno], errno);
  m.record({ call, fd, raised: `${m.excName(e)}: ${m.excText(e)}` });
  throw new PyError(e);
}

/** A call that would block: wait on a blocking socket, BlockingIOError on a non-blocking one. */
function cannot(m: Machine, v: PyValue, call: string, wait: Wait): never {
  const s = findSocket(m.world.kernel, sockId(v));
  if (s?.blocking === false) {
    count(m, 'wastedTries', 1);
    polled(m);
    const e = osError('BlockingIOError', 'EAGAIN');
    m.record({ call, fd: s.fd, raised: `${m.excName(e)}: ${m.excText(e)}` });
    throw new PyError(e);
  }
  throw new Blocked(wait);
}

function settle<T>(m: Machine, r: Attempt<T>, v: PyValue, call: string, wait: Wait): T {
  if (r.kind === 'done') {
    withKernel(m, r.kernel);
    return r.value;
  }
  if (r.kind === 'error') {
    withKernel(m, r.kernel);
    return raiseErrno(m, call, fdOf(m, v), r.errno);
  }
  return cannot(m, v, call, wait);
}

function addressOf(m: Machine, v: PyValue): Address {
  if (v.type !== 'tuple' || v.items.length !== 2) return m.fail('TypeError', 'AF_INET address must be tuple, not ' + m.typeName(v));
  const [host, port] = v.items as [PyValue, PyValue];
  if (host.type !== 'str') return m.fail('TypeError', `str, bytes or bytearray expected, not ${m.typeName(host)}`);
  if (port.type !== 'int') return m.fail('TypeError', `'${m.typeName(port)}' object cannot be interpreted as an integer`);
  if (port.value < 0 || port.value > 65535) return m.fail('OverflowError', 'bind(): port must be 0-65535.');
  return { host: host.value === 'localhost' || host.value === '' ? '127.0.0.1' : host.value, port: port.value };
}

function addressValue(a: Address): PyValue {
  return tuple(str(a.host), int(a.port));
}

export function newSocket(m: Machine): PyValue {
  const r = openSocket(m.world.kernel);
  withKernel(m, r.kernel);
  m.record({ call: 'socket', fd: r.fd, result: `fd ${r.fd}` });
  return socketValue(r.id);
}

/** What sits at the address a client program connects to: the scenario's echo or chat server. */
function peerFor(m: Machine): PeerSpec | undefined {
  const kind = m.world.server;
  if (kind === undefined) return undefined;
  if (kind === 'chat') return { name: 'chat server', kind: 'chat-server', slowReader: false };
  const n = m.world.kernel.peers.filter((p) => p.kind === 'echo-server').length + 1;
  return { name: `echo ${n}`, kind: 'echo-server', slowReader: false };
}

function doConnect(m: Machine, self: PyValue, addr: PyValue, ex: boolean): PyValue {
  const fd = fdOf(m, self);
  const a = addressOf(m, addr);
  const s = findSocket(m.world.kernel, sockId(self));
  if (s?.kind === 'connected') return raiseErrno(m, ex ? 'connect_ex' : 'connect', fd, 'EINVAL');
  const spec = peerFor(m);
  if (spec === undefined) {
    if (ex) return int(111);
    return raiseErrno(m, 'connect', fd, 'ECONNREFUSED');
  }
  const blocking = s?.blocking !== false;
  withKernel(m, connectTo(m.world.kernel, sockId(self), spec, a, blocking));
  if (!blocking) {
    m.record({ call: ex ? 'connect_ex' : 'connect', fd, args: [m.repr(addr)], result: ex ? '115' : undefined, raised: ex ? undefined : 'BlockingIOError: [Errno 115] Operation now in progress', peer: spec.name });
    if (ex) return int(115);
    throw new PyError(osError('BlockingIOError', 'EINPROGRESS'));
  }
  m.record({ call: ex ? 'connect_ex' : 'connect', fd, args: [m.repr(addr)], result: ex ? '0' : 'None', peer: spec.name });
  return ex ? int(0) : NONE;
}

function bytesArg(m: Machine, v: PyValue | undefined): string {
  if (v?.type !== 'bytes') return m.fail('TypeError', `a bytes-like object is required, not '${v === undefined ? 'NoneType' : m.typeName(v)}'`);
  return v.value;
}

function intArg(m: Machine, v: PyValue | undefined, what = 'an integer'): number {
  if (v?.type === 'int') return v.value;
  if (v?.type === 'bool') return Number(v.value);
  return m.fail('TypeError', `'${v === undefined ? 'NoneType' : m.typeName(v)}' object cannot be interpreted as ${what}`);
}

function peerName(m: Machine, self: PyValue): string | undefined {
  const s = connected(m.world.kernel, sockId(self));
  return s === undefined || s.pair !== undefined ? undefined : s.peerName;
}

export function closeValue(m: Machine, self: PyValue): void {
  const s = findSocket(m.world.kernel, sockId(self));
  if (s === undefined || s.fd === undefined) return;
  m.record({ call: 'close', fd: s.fd, peer: peerName(m, self) });
  withKernel(m, closeSocket(m.world.kernel, s.id));
  if (m.world.selector !== undefined && m.world.selector.registry.some((r) => r.sock === s.id)) {
    m.world = { ...m.world, selector: { ...m.world.selector, registry: m.world.selector.registry.filter((r) => r.sock !== s.id) } };
  }
  progress(m);
}

/** socket.socket methods, called with the socket as self. */
export function socketMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[], _kwargs: Readonly<Record<string, PyValue>>, resume: number | undefined): PyValue {
  const id = sockId(self);
  if (name === 'close' || name === '__exit__') {
    closeValue(m, self);
    return NONE;
  }
  if (name === 'fileno') {
    const s = findSocket(m.world.kernel, id);
    return int(s?.fd ?? -1);
  }
  const fd = fdOf(m, self);
  switch (name) {
    case '__enter__':
      return self;
    case 'bind': {
      const a = addressOf(m, args[0] ?? NONE);
      if (portInUse(m.world.kernel, a.port)) return raiseErrno(m, 'bind', fd, 'EADDRINUSE');
      withKernel(m, bindSocket(m.world.kernel, id, a));
      m.record({ call: 'bind', fd, args: [m.repr(args[0] ?? NONE)], result: 'None' });
      return NONE;
    }
    case 'listen': {
      const backlog = args[0] === undefined ? DEFAULT_BACKLOG : Math.min(intArg(m, args[0]), 4096);
      withKernel(m, listenSocket(m.world.kernel, id, backlog));
      m.record({ call: 'listen', fd, result: 'None' });
      return NONE;
    }
    case 'setblocking':
      withKernel(m, setBlocking(m.world.kernel, id, m.truthy(args[0] ?? bool(true))));
      m.record({ call: 'setblocking', fd, args: [m.repr(args[0] ?? NONE)], result: 'None' });
      return NONE;
    case 'settimeout': {
      const t = args[0] ?? NONE;
      const blocking = !(t.type === 'int' || t.type === 'float') || t.value !== 0;
      withKernel(m, setBlocking(m.world.kernel, id, blocking));
      m.record({ call: 'settimeout', fd, args: [m.repr(t)], result: 'None' });
      return NONE;
    }
    case 'getblocking':
      return bool(findSocket(m.world.kernel, id)?.blocking !== false);
    case 'gettimeout':
      return findSocket(m.world.kernel, id)?.blocking === false ? { type: 'float', value: 0 } : NONE;
    case 'setsockopt':
      m.record({ call: 'setsockopt', fd, args: args.map((a) => m.repr(a)), result: 'None' });
      return NONE;
    case 'accept': {
      const r = acceptConnection(m.world.kernel, id);
      const c = settle(m, r, self, 'accept', { call: 'accept', fd });
      const conn = socketValue(c.id);
      const addr = addressValue(c.peer);
      m.record({ call: 'accept', fd, result: `fd ${c.fd ?? '?'}`, peer: c.peerName });
      progress(m);
      return tuple(conn, addr);
    }
    case 'recv': {
      const max = intArg(m, args[0]);
      const r = receive(m.world.kernel, id, max);
      const data = settle(m, r, self, 'recv', { call: 'recv', fd, max });
      m.record({ call: 'recv', fd, args: [String(max)], result: m.repr(bytes(data)), bytes: data.length, peer: peerName(m, self) });
      count(m, 'bytesIn', data.length);
      progress(m);
      return bytes(data);
    }
    case 'send': {
      const data = bytesArg(m, args[0]);
      const r = transmit(m.world.kernel, id, data);
      const n = settle(m, r, self, 'send', { call: 'send', fd });
      m.record({ call: 'send', fd, args: [m.repr(bytes(data))], result: String(n), bytes: n, peer: peerName(m, self) });
      count(m, 'bytesOut', n);
      progress(m);
      return int(n);
    }
    case 'sendall': {
      const data = bytesArg(m, args[0]);
      const already = resume ?? 0;
      const rest = data.slice(already);
      const r = transmit(m.world.kernel, id, rest);
      const wait: Wait = { call: 'sendall', fd, remaining: rest.length, total: data.length };
      const n = rest.length === 0 ? 0 : settle(m, r, self, 'sendall', wait);
      count(m, 'bytesOut', n);
      if (n > 0) progress(m);
      if (already + n < data.length) {
        m.record({ call: 'sendall', fd, args: [m.repr(bytes(data))], bytes: n, peer: peerName(m, self) });
        if (findSocket(m.world.kernel, id)?.blocking === false) cannot(m, self, 'sendall', wait);
        throw new PartialCall(already + n);
      }
      m.record({ call: 'sendall', fd, args: [m.repr(bytes(data))], result: 'None', bytes: n, peer: peerName(m, self) });
      return NONE;
    }
    case 'connect':
      return doConnect(m, self, args[0] ?? NONE, false);
    case 'connect_ex':
      return doConnect(m, self, args[0] ?? NONE, true);
    case 'getsockname': {
      const s = findSocket(m.world.kernel, id);
      return addressValue(s?.local ?? { host: '0.0.0.0', port: 0 });
    }
    case 'getpeername': {
      const s = connected(m.world.kernel, id);
      if (s === undefined) return raiseErrno(m, 'getpeername', fd, 'ENOTCONN');
      return addressValue(s.peer);
    }
    default:
      return m.fail('AttributeError', `'socket' object has no attribute '${name}'`);
  }
}

/** socket module functions. */
export function socketFunction(m: Machine, name: string, args: readonly PyValue[], _kwargs: Readonly<Record<string, PyValue>>): PyValue {
  switch (name) {
    case 'socket':
      return newSocket(m);
    case 'socketpair': {
      const r = openPair(m.world.kernel);
      withKernel(m, r.kernel);
      const [a, b] = r.ids.map((x) => socketValue(x)) as [PyValue, PyValue];
      m.record({ call: 'socketpair', result: `fds ${fdOf(m, a)}, ${fdOf(m, b)}` });
      return tuple(a, b);
    }
    case 'create_connection': {
      const s = newSocket(m);
      doConnect(m, s, args[0] ?? NONE, false);
      return s;
    }
    case 'create_server': {
      const s = newSocket(m);
      const fd = fdOf(m, s);
      const a = addressOf(m, args[0] ?? NONE);
      if (portInUse(m.world.kernel, a.port)) return raiseErrno(m, 'bind', fd, 'EADDRINUSE');
      withKernel(m, listenSocket(bindSocket(m.world.kernel, sockId(s), a), sockId(s), DEFAULT_BACKLOG));
      m.record({ call: 'create_server', fd, args: [m.repr(args[0] ?? NONE)], result: `fd ${fd}` });
      return s;
    }
    default:
      return m.fail('AttributeError', `module 'socket' has no attribute '${name}'`);
  }
}
