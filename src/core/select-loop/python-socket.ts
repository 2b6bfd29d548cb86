import type { Address, Attempt, KernelError, PeerSpec } from './kernel.ts';
import {
  AF_INET,
  AF_INET6,
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
  isIpv6,
  setBlocking,
  setDefaultTimeout,
  setTimeoutOf,
  setV6Only,
  transmit,
} from './kernel.ts';
import type { PyValue } from './py-value.ts';
import { NONE, bool, bytes, float, int, socketValue, str, tuple } from './py-value.ts';
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
  AF_INET,
  AF_INET6,
  AF_UNIX: 1,
  SOCK_STREAM: 1,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_KEEPALIVE: 9,
  IPPROTO_TCP: 6,
  IPPROTO_IPV6: 41,
  IPV6_V6ONLY: 26,
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

const MICROS = 1_000_000;

/**
 * A call with a deadline (a socket with a timeout): the first try that would wait records the call
 * and keeps its deadline in simulated µs; the re-runs wait until then, and then raise TimeoutError.
 */
type Timed = { readonly resume: number | undefined; readonly args: readonly string[] };

/** A call that would block: wait on a blocking socket (up to its timeout), BlockingIOError on a non-blocking one. */
function cannot(m: Machine, v: PyValue, call: string, wait: Wait, timed?: Timed): never {
  const s = findSocket(m.world.kernel, sockId(v));
  if (s?.blocking === false) {
    count(m, 'wastedTries', 1);
    polled(m);
    const e = osError('BlockingIOError', 'EAGAIN');
    m.record({ call, fd: s.fd, raised: `${m.excName(e)}: ${m.excText(e)}` });
    throw new PyError(e);
  }
  if (timed !== undefined && s?.timeout !== undefined && (wait.call === 'accept' || wait.call === 'recv' || wait.call === 'send')) {
    if (timed.resume === undefined) {
      m.record({ call, fd: s.fd, args: timed.args });
      throw new PartialCall(m.world.clock + Math.round(s.timeout * MICROS));
    }
    if (m.world.clock >= timed.resume) {
      // CPython raises TimeoutError('timed out'); socket.timeout has been the same class since 3.10.
      m.record({ call, fd: s.fd, args: timed.args, raised: 'TimeoutError: timed out' });
      throw new PyError(exc('TimeoutError', str('timed out')));
    }
    throw new Blocked({ ...wait, until: timed.resume });
  }
  throw new Blocked(wait);
}

function settle<T>(m: Machine, r: Attempt<T>, v: PyValue, call: string, wait: Wait, timed?: Timed): T {
  if (r.kind === 'done') {
    withKernel(m, r.kernel);
    return r.value;
  }
  if (r.kind === 'error') {
    withKernel(m, r.kernel);
    return raiseErrno(m, call, fdOf(m, v), r.errno);
  }
  return cannot(m, v, call, wait, timed);
}

function familyOf(m: Machine, v: PyValue): number {
  return findSocket(m.world.kernel, sockId(v))?.family ?? AF_INET;
}

/** An AF_INET address is (host, port); an AF_INET6 one (host, port[, flowinfo[, scope_id]]), where '' means ::. */
function addressOf(m: Machine, v: PyValue, family: number = AF_INET): Address {
  const six = family === AF_INET6;
  if (v.type !== 'tuple' || v.items.length < 2 || v.items.length > (six ? 4 : 2)) {
    return m.fail('TypeError', `${six ? 'AF_INET6' : 'AF_INET'} address must be tuple, not ${m.typeName(v)}`);
  }
  const [host, port] = v.items as [PyValue, PyValue];
  if (host.type !== 'str') return m.fail('TypeError', `str, bytes or bytearray expected, not ${m.typeName(host)}`);
  if (port.type !== 'int') return m.fail('TypeError', `'${m.typeName(port)}' object cannot be interpreted as an integer`);
  if (port.value < 0 || port.value > 65535) return m.fail('OverflowError', 'bind(): port must be 0-65535.');
  if (six) return { host: host.value === '' ? '::' : host.value, port: port.value };
  return { host: host.value === 'localhost' || host.value === '' ? '127.0.0.1' : host.value, port: port.value };
}

/** As CPython returns addresses: (host, port), or (host, port, flowinfo, scope_id) for IPv6. */
function addressValue(a: Address): PyValue {
  return isIpv6(a.host) ? tuple(str(a.host), int(a.port), int(0), int(0)) : tuple(str(a.host), int(a.port));
}

export function newSocket(m: Machine, family: number = AF_INET): PyValue {
  const r = openSocket(m.world.kernel, family);
  withKernel(m, r.kernel);
  m.record({ call: 'socket', fd: r.fd, ...(family === AF_INET6 ? { args: ['AF_INET6'] } : {}), result: `fd ${r.fd}` });
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
  const a = addressOf(m, addr, familyOf(m, self));
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

/** settimeout()'s argument: None, or a number of seconds that is not negative. */
function timeoutArg(m: Machine, v: PyValue): number | undefined {
  if (v.type === 'None') return undefined;
  const t = v.type === 'float' ? v.value : intArg(m, v);
  if (t < 0) return m.fail('ValueError', 'Timeout value out of range');
  return t;
}

function timeoutValue(t: number | undefined): PyValue {
  return t === undefined ? NONE : float(t);
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
      const a = addressOf(m, args[0] ?? NONE, familyOf(m, self));
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
      withKernel(m, setTimeoutOf(m.world.kernel, id, timeoutArg(m, t)));
      m.record({ call: 'settimeout', fd, args: [m.repr(t)], result: 'None' });
      return NONE;
    }
    case 'getblocking':
      return bool(findSocket(m.world.kernel, id)?.blocking !== false);
    case 'gettimeout': {
      const s = findSocket(m.world.kernel, id);
      return s?.blocking === false ? float(0) : timeoutValue(s?.timeout);
    }
    case 'setsockopt': {
      const [level, opt, value] = args.map((a) => (a.type === 'int' || a.type === 'bool' ? Number(a.value) : undefined));
      if (level === SOCKET_CONSTANTS['IPPROTO_IPV6'] && opt === SOCKET_CONSTANTS['IPV6_V6ONLY']) {
        if (familyOf(m, self) !== AF_INET6) return raiseErrno(m, 'setsockopt', fd, 'EINVAL');
        withKernel(m, setV6Only(m.world.kernel, id, value !== 0));
      }
      m.record({ call: 'setsockopt', fd, args: args.map((a) => m.repr(a)), result: 'None' });
      return NONE;
    }
    case 'accept': {
      const r = acceptConnection(m.world.kernel, id);
      const c = settle(m, r, self, 'accept', { call: 'accept', fd }, { resume, args: [] });
      const conn = socketValue(c.id);
      const addr = addressValue(c.peer);
      m.record({ call: 'accept', fd, result: `fd ${c.fd ?? '?'}`, peer: c.peerName });
      progress(m);
      return tuple(conn, addr);
    }
    case 'recv': {
      const max = intArg(m, args[0]);
      const r = receive(m.world.kernel, id, max);
      const data = settle(m, r, self, 'recv', { call: 'recv', fd, max }, { resume, args: [String(max)] });
      m.record({ call: 'recv', fd, args: [String(max)], result: m.repr(bytes(data)), bytes: data.length, peer: peerName(m, self) });
      count(m, 'bytesIn', data.length);
      progress(m);
      return bytes(data);
    }
    case 'send': {
      const data = bytesArg(m, args[0]);
      const r = transmit(m.world.kernel, id, data);
      const n = settle(m, r, self, 'send', { call: 'send', fd }, { resume, args: [m.repr(bytes(data))] });
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
      return addressValue(s?.local ?? { host: s?.family === AF_INET6 ? '::' : '0.0.0.0', port: 0 });
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

function kwarg(args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>, index: number, name: string): PyValue | undefined {
  return args[index] ?? kwargs[name];
}

/** create_connection() picks the family from the host, as getaddrinfo() would for a numeric address. */
function createConnection(m: Machine, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
  const address = args[0] ?? NONE;
  const host = address.type === 'tuple' ? address.items[0] : undefined;
  const s = newSocket(m, host?.type === 'str' && isIpv6(host.value) ? AF_INET6 : AF_INET);
  const timeout = kwarg(args, kwargs, 1, 'timeout');
  if (timeout !== undefined) withKernel(m, setTimeoutOf(m.world.kernel, sockId(s), timeoutArg(m, timeout)));
  try {
    doConnect(m, s, address, false);
  } catch (e) {
    // CPython closes the socket it made before it re-raises the error.
    if (e instanceof PyError) closeValue(m, s);
    throw e;
  }
  return s;
}

/** has_dualstack_ipv6() tries it: an AF_INET6 socket, IPV6_V6ONLY off, closed again. Linux allows it. */
function hasDualstack(m: Machine): PyValue {
  const probe = newSocket(m, AF_INET6);
  socketMethod(m, probe, 'setsockopt', [int(SOCKET_CONSTANTS['IPPROTO_IPV6'] ?? 41), int(SOCKET_CONSTANTS['IPV6_V6ONLY'] ?? 26), int(0)], {}, undefined);
  closeValue(m, probe);
  return bool(true);
}

/**
 * create_server() as CPython 3.11 does it on Linux: with dualstack_ipv6, has_dualstack_ipv6() first;
 * then socket(), SO_REUSEADDR, IPV6_V6ONLY for AF_INET6 (0 with dualstack_ipv6, else 1), bind() and
 * listen(), each a call of its own.
 */
function createServer(m: Machine, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
  const family = intArg(m, kwargs['family'] ?? int(AF_INET));
  const dualstack = m.truthy(kwargs['dualstack_ipv6'] ?? bool(false));
  if (dualstack) hasDualstack(m);
  if (dualstack && family !== AF_INET6) return m.fail('ValueError', 'dualstack_ipv6 requires AF_INET6 family');
  const s = newSocket(m, family);
  const call = (name: string, ...a: PyValue[]) => socketMethod(m, s, name, a, {}, undefined);
  call('setsockopt', int(SOCKET_CONSTANTS['SOL_SOCKET'] ?? 1), int(SOCKET_CONSTANTS['SO_REUSEADDR'] ?? 2), int(1));
  if (family === AF_INET6) call('setsockopt', int(SOCKET_CONSTANTS['IPPROTO_IPV6'] ?? 41), int(SOCKET_CONSTANTS['IPV6_V6ONLY'] ?? 26), int(dualstack ? 0 : 1));
  const address = args[0] ?? NONE;
  try {
    call('bind', address);
  } catch (e) {
    const err = e instanceof PyError && e.exc.type === 'exception' ? e.exc : undefined;
    if (err?.errno === undefined) throw e;
    closeValue(m, s);
    const text = m.str(err.args[1] ?? str(''));
    throw new PyError({ type: 'exception', cls: { type: 'type', name: 'OSError' }, args: [int(err.errno), str(`${text} (while attempting to bind on address ${m.repr(address)})`)], errno: err.errno });
  }
  const backlog = kwargs['backlog'];
  if (backlog === undefined || backlog.type === 'None') call('listen');
  else call('listen', backlog);
  return s;
}

/** socket module functions. */
export function socketFunction(m: Machine, name: string, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
  switch (name) {
    case 'socket': {
      const family = intArg(m, kwarg(args, kwargs, 0, 'family') ?? int(AF_INET));
      if (family !== AF_INET && family !== AF_INET6) throw new Error('socket.socket() here makes AF_INET and AF_INET6 sockets only');
      return newSocket(m, family);
    }
    case 'socketpair': {
      const r = openPair(m.world.kernel);
      withKernel(m, r.kernel);
      const [a, b] = r.ids.map((x) => socketValue(x)) as [PyValue, PyValue];
      m.record({ call: 'socketpair', result: `fds ${fdOf(m, a)}, ${fdOf(m, b)}` });
      return tuple(a, b);
    }
    case 'create_connection':
      return createConnection(m, args, kwargs);
    case 'create_server':
      return createServer(m, args, kwargs);
    case 'has_dualstack_ipv6':
      return hasDualstack(m);
    case 'getdefaulttimeout':
      return timeoutValue(m.world.kernel.defaultTimeout);
    case 'setdefaulttimeout':
      withKernel(m, setDefaultTimeout(m.world.kernel, timeoutArg(m, args[0] ?? NONE)));
      return NONE;
    default:
      return m.fail('AttributeError', `module 'socket' has no attribute '${name}'`);
  }
}
