import { ERRNO } from '../python/exceptions.ts';
import type { CallRecord } from '../python/frame.ts';
import type { Kernel, KernelError } from './kernel.ts';
import { acceptConnection, closeSocket, findSocket, receive, socketByFd, transmit } from './kernel.ts';
import type { PyValue } from './py-value.ts';
import type { LoopWorld } from './world.ts';

/**
 * The io_uring teaching model: a submission queue (SQ) the program fills, requests the kernel
 * holds until their socket is ready, and a completion queue (CQ) the kernel fills. Modelled on
 * liburing's calls, not on a Python package: Python's standard library has no io_uring.
 *
 * Semantics (what the unit tests hold it to):
 * - Ring(entries) makes one io_uring_setup() call and takes a file descriptor, the lowest free,
 *   as Linux does. The SQ holds `entries` SQEs and the CQ twice as many CQEs (Linux's default).
 * - prep_accept/prep_recv/prep_send/prep_close write one SQE into the SQ: shared memory, no
 *   system call. A full SQ raises an error, where liburing's io_uring_get_sqe() returns NULL.
 * - submit() hands every SQE in the SQ to the kernel with one io_uring_enter() call, or none when
 *   the SQ is empty. With sqpoll=True a kernel thread takes them instead and submit() makes no
 *   system call (here that thread never goes idle, so it never needs IORING_ENTER_SQ_WAKEUP).
 * - The kernel tries each request as soon as it has it, in order. One that can finish now (a
 *   connection is queued, bytes or EOF are in the receive buffer, the send buffer has room, or the
 *   socket is gone) posts its CQE at once; the rest wait in flight and complete, in the order they
 *   were submitted, in the same step as the network event that lets them.
 * - A CQE carries the request's user_data and res: the new fd for accept, the byte count for recv
 *   and send (0 for a recv at EOF; a send may take only part), 0 for close, or -errno on failure.
 *   Where liburing's recv fills a buffer the program passed, this CQE carries the bytes as buf.
 * - wait_cqe() returns the oldest CQE without a system call when the CQ has one; otherwise it calls
 *   io_uring_enter() and sleeps until one is posted. submit_and_wait(n) is one io_uring_enter()
 *   that submits and then sleeps until the CQ holds n CQEs. peek_cqe() never enters the kernel.
 *   cqe_seen() frees the oldest CQE's slot (the CQ head moves on); no system call.
 * - A CQ that is full leaves further completions waiting in the kernel until the program frees a
 *   slot (Linux keeps them on an overflow list and flushes them later).
 */

export type UringOp = 'accept' | 'recv' | 'send' | 'close';

export type Sqe = {
  readonly op: UringOp;
  readonly fd: number;
  /** recv: at most this many bytes; send: the bytes' count; accept and close: 0. */
  readonly len: number;
  /** The bytes a send hands over. */
  readonly data: string;
  readonly userData: PyValue;
  /** user_data as Python would repr it, for the picture and tables. */
  readonly userDataText: string;
  /** The kernel socket the fd named when the kernel took the request. */
  readonly sock?: number;
};

export type Cqe = {
  readonly op: UringOp;
  readonly fd: number;
  readonly res: number;
  readonly userData: PyValue;
  readonly userDataText: string;
  /** recv's bytes. */
  readonly buf: string;
  /** Counts every CQE the ring has posted, so the program's cqe names one slot's occupant. */
  readonly seq: number;
};

export type Ring = {
  readonly fd: number;
  readonly entries: number;
  readonly cqEntries: number;
  readonly sqpoll: boolean;
  /** Written by the program, not yet seen by the kernel. */
  readonly sq: readonly Sqe[];
  /** Taken by the kernel, waiting for their socket. */
  readonly inFlight: readonly Sqe[];
  /** Posted by the kernel, oldest first; the program reads the head. */
  readonly cq: readonly Cqe[];
  /** SQEs the program has written and CQEs the kernel has posted, ever: with the queues' lengths they give each entry's slot. */
  readonly written: number;
  readonly posted: number;
  readonly closed: boolean;
};

/** The slot (index in the ring) of the i-th entry still in the SQ or CQ: entries wrap round to slot 0. */
export function sqSlot(ring: Ring, i: number): number {
  return (ring.written - ring.sq.length + i) % ring.entries;
}

export function cqSlot(ring: Ring, i: number): number {
  return (ring.posted - ring.cq.length + i) % ring.cqEntries;
}

export function createRing(fd: number, entries: number, sqpoll: boolean): Ring {
  return { fd, entries, cqEntries: entries * 2, sqpoll, sq: [], inFlight: [], cq: [], written: 0, posted: 0, closed: false };
}

function negErrno(e: KernelError | 'EBADF' | 'EINVAL'): number {
  return -ERRNO[e][0];
}

type Done = { readonly kernel: Kernel; readonly res: number; readonly buf: string };

/** The kernel's attempt at one request: its result, or undefined while its socket is not ready. */
export function attempt(k: Kernel, sqe: Sqe): Done | undefined {
  const s = sqe.sock === undefined ? undefined : findSocket(k, sqe.sock);
  if (s === undefined || s.fd === undefined) return { kernel: k, res: negErrno('EBADF'), buf: '' };
  switch (sqe.op) {
    case 'accept': {
      if (s.kind !== 'listening') return { kernel: k, res: negErrno('EINVAL'), buf: '' };
      const r = acceptConnection(k, s.id);
      if (r.kind === 'wait') return undefined;
      return r.kind === 'error' ? { kernel: r.kernel, res: negErrno(r.errno), buf: '' } : { kernel: r.kernel, res: r.value.fd ?? -1, buf: '' };
    }
    case 'recv': {
      const r = receive(k, s.id, sqe.len);
      if (r.kind === 'wait') return undefined;
      return r.kind === 'error' ? { kernel: r.kernel, res: negErrno(r.errno), buf: '' } : { kernel: r.kernel, res: r.value.length, buf: r.value };
    }
    case 'send': {
      const r = transmit(k, s.id, sqe.data);
      if (r.kind === 'wait') return undefined;
      return r.kind === 'error' ? { kernel: r.kernel, res: negErrno(r.errno), buf: '' } : { kernel: r.kernel, res: r.value, buf: '' };
    }
    case 'close':
      return { kernel: closeSocket(k, s.id), res: 0, buf: '' };
  }
}

function post(ring: Ring, sqe: Sqe, done: Done): Ring {
  const cqe: Cqe = { op: sqe.op, fd: sqe.fd, res: done.res, userData: sqe.userData, userDataText: sqe.userDataText, buf: done.buf, seq: ring.posted + 1 };
  return { ...ring, cq: [...ring.cq, cqe], posted: ring.posted + 1 };
}

/** Bytes moved and messages read by completions, for the world's counters and the syscall tally. */
function account(w: LoopWorld, sqe: Sqe, res: number): LoopWorld {
  if (res <= 0 || (sqe.op !== 'recv' && sqe.op !== 'send')) return w;
  const key = sqe.op === 'recv' ? 'bytesIn' : 'bytesOut';
  const counters = { ...w.counters, [key]: w.counters[key] + res };
  const syscalls = sqe.op === 'recv' && w.syscalls !== undefined ? { ...w.syscalls, messages: w.syscalls.messages + 1 } : w.syscalls;
  return { ...w, counters, syscalls };
}

/** Tries `pending` in order: each that can finish posts its CQE (while the CQ has room); the rest stay in flight. */
function run(w: LoopWorld, ring: Ring, pending: readonly Sqe[]): LoopWorld {
  let world = w;
  let r: Ring = { ...ring, inFlight: [] };
  const waiting: Sqe[] = [];
  for (const sqe of pending) {
    const done = r.cq.length < r.cqEntries ? attempt(world.kernel, sqe) : undefined;
    if (done === undefined) {
      waiting.push(sqe);
      continue;
    }
    world = account({ ...world, kernel: done.kernel }, sqe, done.res);
    r = post(r, sqe, done);
  }
  return { ...world, ring: { ...r, inFlight: waiting } };
}

/** The kernel takes every SQE: it resolves each fd now, then tries the lot after what was already in flight. */
export function submitAll(w: LoopWorld, ring: Ring): LoopWorld {
  const taken = ring.sq.map((sqe) => ({ ...sqe, sock: socketByFd(w.kernel, sqe.fd)?.id }));
  return run(w, { ...ring, sq: [] }, [...ring.inFlight, ...taken]);
}

/** After every step: the kernel finishes the requests in flight that the step made possible. */
export function completeInFlight(w: LoopWorld): LoopWorld {
  const ring = w.ring;
  if (ring === undefined || ring.closed || ring.inFlight.length === 0) return w;
  const next = run(w, ring, ring.inFlight);
  return next.ring?.cq.length === ring.cq.length ? w : next;
}

/**
 * System calls as strace names them on x86-64 Linux, counted for the programs that show them.
 * Wake-ups: a thread that had to sleep in the kernel (it was seen waiting) and then ran again.
 * messages: reads that returned bytes, the "requests" an echo server answers.
 */
export type SyscallTally = {
  /** By name, in the order each was first made. */
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
  /** Made from the loop's first wait (epoll_wait or io_uring_enter) on: the cost of serving, without the setup. */
  readonly serving: number;
  readonly waited: boolean;
  readonly wakeups: number;
  readonly messages: number;
  /** Threads seen waiting since they last ran. */
  readonly sleeping: readonly string[];
};

export const EMPTY_TALLY: SyscallTally = { counts: {}, total: 0, serving: 0, waited: false, wakeups: 0, messages: 0, sleeping: [] };

/** The system call behind each socket and selectors call (CPython 3.11 on Linux; DefaultSelector is epoll). */
const SYSCALL_OF: Readonly<Record<string, string>> = {
  socket: 'socket',
  setsockopt: 'setsockopt',
  bind: 'bind',
  listen: 'listen',
  setblocking: 'ioctl',
  accept: 'accept4',
  recv: 'recvfrom',
  send: 'sendto',
  sendall: 'sendto',
  close: 'close',
  connect: 'connect',
  connect_ex: 'connect',
  DefaultSelector: 'epoll_create1',
  register: 'epoll_ctl',
  modify: 'epoll_ctl',
  unregister: 'epoll_ctl',
  select: 'epoll_wait',
  'selector.close': 'close',
};

/** The calls a server's loop sleeps in: from the first of them on, the tally counts the cost of serving. */
const WAITS: ReadonlySet<string> = new Set(['epoll_wait', 'io_uring_enter']);

export function syscallOf(c: CallRecord): string | undefined {
  if (c.call.startsWith('ring.') || c.call === 'uring.Ring') return c.syscall;
  return SYSCALL_OF[c.call];
}

/** The tally after one step: prev is the world before it, w the world after. */
export function tallyStep(prev: LoopWorld, w: LoopWorld): LoopWorld {
  const t = w.syscalls ?? EMPTY_TALLY;
  const counts: Record<string, number> = { ...t.counts };
  let { total, serving, waited, wakeups } = t;
  const asleep = new Set([...t.sleeping, ...prev.threads.filter((x) => x.wait !== undefined).map((x) => x.name)]);
  const ran = w.event.kind === 'line' ? w.event.thread : undefined;
  if (ran !== undefined && asleep.delete(ran)) wakeups++;
  let messages = t.messages;
  for (const c of w.event.calls ?? []) {
    const name = syscallOf(c);
    if (name === undefined) continue;
    counts[name] = (counts[name] ?? 0) + 1;
    total++;
    if (WAITS.has(name)) waited = true;
    if (waited) serving++;
    if (c.call === 'recv' && (c.bytes ?? 0) > 0) messages++;
  }
  const sleeping = [...asleep];
  const same = total === t.total && wakeups === t.wakeups && messages === t.messages && sleeping.length === t.sleeping.length && sleeping.every((x, i) => x === t.sleeping[i]);
  if (same && w.syscalls !== undefined) return w;
  return { ...w, syscalls: { counts, total, serving, waited, wakeups, messages, sleeping } };
}

/** What the kernel does at the end of every step: finish requests in flight, then count system calls. */
export function afterStep(prev: LoopWorld, w: LoopWorld): LoopWorld {
  const done = completeInFlight(w);
  return done.program.countsSyscalls === true ? tallyStep(prev, done) : done;
}
