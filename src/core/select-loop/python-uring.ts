import { closeOtherFd, openOtherFd } from './kernel.ts';
import type { PyValue } from './py-value.ts';
import { NONE, bool, bytes, int, str } from './py-value.ts';
import type { Machine } from '../python/machine.ts';
import { Blocked, PartialCall, PyError } from '../python/machine.ts';
import { exc } from '../python/exceptions.ts';
import type { Cqe, Ring, Sqe, UringOp } from './uring.ts';
import { createRing, submitAll } from './uring.ts';

/**
 * The `uring` teaching module: liburing's calls as Python methods of one Ring, over the simulated
 * kernel. Not a real package: the semantics are written at the top of uring.ts.
 */

export const URING_FUNCTIONS: readonly string[] = ['Ring'];

const DEFAULT_ENTRIES = 8;
const MAX_ENTRIES = 32_768;

type Kwargs = Readonly<Record<string, PyValue>>;

function ringOf(m: Machine): Ring {
  const ring = m.world.ring;
  if (ring === undefined || ring.closed) return m.fail('ValueError', 'the ring is closed');
  return ring;
}

function setRing(m: Machine, ring: Ring): void {
  m.world = { ...m.world, ring };
}

function intArg(m: Machine, v: PyValue | undefined, what: string): number {
  if (v?.type === 'int') return v.value;
  if (v?.type === 'bool') return v.value ? 1 : 0;
  return m.fail('TypeError', `${what} must be an integer, not ${v === undefined ? 'nothing' : m.typeName(v)}`);
}

/** uring.Ring(entries=8, sqpoll=False): io_uring_queue_init(), one io_uring_setup() call and a new fd. */
export function ringCreate(m: Machine, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  if (m.world.ring !== undefined && !m.world.ring.closed) return m.fail('NotImplementedError', 'this simulation runs one ring per program');
  const entries = intArg(m, args[0] ?? kwargs['entries'] ?? int(DEFAULT_ENTRIES), 'entries');
  // io_uring_setup() wants a power of two up to 32768 (it rounds others up); a teaching ring keeps it exact.
  if (entries < 1 || entries > MAX_ENTRIES || (entries & (entries - 1)) !== 0) return m.fail('ValueError', `entries must be a power of two from 1 to ${MAX_ENTRIES}, not ${entries}`);
  const sqpoll = m.truthy(args[1] ?? kwargs['sqpoll'] ?? bool(false));
  const r = openOtherFd(m.world.kernel);
  m.world = { ...m.world, kernel: r.kernel, ring: createRing(r.fd, entries, sqpoll) };
  m.record({ call: 'uring.Ring', fd: r.fd, args: [String(entries), ...(sqpoll ? ['sqpoll'] : [])], result: `ring fd ${r.fd}`, syscall: 'io_uring_setup' });
  return { type: 'ring' };
}

function prep(m: Machine, op: UringOp, fd: number, len: number, data: string, userData: PyValue): PyValue {
  const ring = ringOf(m);
  if (ring.sq.length >= ring.entries) return m.fail('RuntimeError', `the submission queue is full (${ring.entries} SQEs): submit() first`);
  const sqe: Sqe = { op, fd, len, data, userData, userDataText: m.repr(userData) };
  setRing(m, { ...ring, sq: [...ring.sq, sqe], written: ring.written + 1 });
  m.record({ call: `ring.prep_${op}`, fd, args: op === 'send' ? [m.repr(bytes(data))] : op === 'recv' ? [String(len)] : [], result: `SQE ${ring.sq.length + 1} of ${ring.entries}` });
  return NONE;
}

function cqeValue(c: Cqe): PyValue {
  return { type: 'cqe', seq: c.seq, res: c.res, userData: c.userData, buf: c.buf };
}

/** Hands the SQ to the kernel: one io_uring_enter() unless the SQ is empty or an SQ thread polls it. */
function submitNow(m: Machine): { readonly n: number; readonly entered: boolean } {
  const ring = ringOf(m);
  const n = ring.sq.length;
  if (n > 0) m.world = submitAll(m.world, ring);
  return { n, entered: n > 0 && !ring.sqpoll };
}

function cqeText(c: Cqe | undefined): string {
  return c === undefined ? 'None' : `Cqe(res=${c.res}, user_data=${c.userDataText})`;
}

/**
 * A call that must sleep until the CQ holds `want` CQEs. The first time it has to, it keeps what it
 * did (the submission) and ends the step, entering the kernel; the thread then waits, and the line
 * runs again (resume = what it submitted + 1) once completions are there.
 */
function sleepUntil(m: Machine, call: string, want: number, resume: number | undefined, submitted: number): void {
  const ring = ringOf(m);
  if (ring.cq.length >= want) return;
  if (resume === undefined) {
    m.record({ call, fd: ring.fd, args: [`submitted ${submitted}`, `waits for ${want}`] });
    throw new PartialCall(submitted + 1);
  }
  throw new Blocked({ call: 'io_uring_enter', ring: ring.fd, want, inFlight: ring.inFlight.length });
}

/** Methods of the program's Ring. */
export function ringMethod(m: Machine, name: string, args: readonly PyValue[], kwargs: Kwargs, resume: number | undefined): PyValue {
  const userData = (i: number) => args[i] ?? kwargs['user_data'] ?? NONE;
  switch (name) {
    case 'prep_accept':
      return prep(m, 'accept', intArg(m, args[0] ?? kwargs['fd'], 'fd'), 0, '', userData(1));
    case 'prep_recv': {
      const n = intArg(m, args[1] ?? kwargs['nbytes'], 'nbytes');
      if (n < 0) return m.fail('ValueError', 'negative buffersize in prep_recv');
      return prep(m, 'recv', intArg(m, args[0] ?? kwargs['fd'], 'fd'), n, '', userData(2));
    }
    case 'prep_send': {
      const data = args[1] ?? kwargs['data'];
      if (data?.type !== 'bytes') return m.fail('TypeError', `a bytes-like object is required, not '${data === undefined ? 'nothing' : m.typeName(data)}'`);
      return prep(m, 'send', intArg(m, args[0] ?? kwargs['fd'], 'fd'), data.value.length, data.value, userData(2));
    }
    case 'prep_close':
      return prep(m, 'close', intArg(m, args[0] ?? kwargs['fd'], 'fd'), 0, '', userData(1));
    case 'submit': {
      const { n, entered } = submitNow(m);
      m.record({ call: 'ring.submit', fd: ringOf(m).fd, result: String(n), ...(entered ? { syscall: 'io_uring_enter' } : {}) });
      return int(n);
    }
    case 'submit_and_wait': {
      const want = intArg(m, args[0] ?? kwargs['wait_nr'] ?? int(1), 'wait_nr');
      const n = resume === undefined ? submitNow(m).n : resume - 1;
      sleepUntil(m, 'ring.submit_and_wait', want, resume, n);
      // liburing enters the kernel whenever it is asked to wait, even if the CQ already has enough.
      m.record({ call: 'ring.submit_and_wait', fd: ringOf(m).fd, args: [String(want)], result: String(n), syscall: 'io_uring_enter' });
      return int(n);
    }
    case 'wait_cqe': {
      const slept = resume !== undefined || ringOf(m).cq.length === 0;
      sleepUntil(m, 'ring.wait_cqe', 1, resume, 0);
      const head = ringOf(m).cq[0];
      m.record({ call: 'ring.wait_cqe', fd: ringOf(m).fd, result: cqeText(head), ...(slept ? { syscall: 'io_uring_enter' } : {}) });
      return head === undefined ? NONE : cqeValue(head);
    }
    case 'peek_cqe': {
      const head = ringOf(m).cq[0];
      m.record({ call: 'ring.peek_cqe', fd: ringOf(m).fd, result: cqeText(head) });
      return head === undefined ? NONE : cqeValue(head);
    }
    case 'cqe_seen': {
      const ring = ringOf(m);
      const c = args[0] ?? kwargs['cqe'];
      if (c?.type !== 'cqe') return m.fail('TypeError', `cqe_seen() needs a Cqe, not ${c === undefined ? 'nothing' : m.typeName(c)}`);
      const head = ring.cq[0];
      if (head === undefined || head.seq !== c.seq) throw new PyError(exc('ValueError', str('cqe_seen() takes the oldest CQE in the completion queue, and this one is not it')));
      setRing(m, { ...ring, cq: ring.cq.slice(1) });
      m.record({ call: 'ring.cqe_seen', fd: ring.fd, args: [cqeText(head)] });
      return NONE;
    }
    case 'close': {
      const ring = m.world.ring;
      if (ring === undefined || ring.closed) return NONE;
      m.world = { ...m.world, kernel: closeOtherFd(m.world.kernel, ring.fd), ring: { ...ring, closed: true, sq: [], inFlight: [], cq: [] } };
      m.record({ call: 'ring.close', fd: ring.fd, syscall: 'close' });
      return NONE;
    }
    default:
      return m.fail('AttributeError', `'Ring' object has no attribute '${name}'`);
  }
}

/** cqe.res, cqe.user_data, cqe.buf. */
export function cqeAttr(m: Machine, c: Extract<PyValue, { type: 'cqe' }>, name: string): PyValue {
  switch (name) {
    case 'res':
      return int(c.res);
    case 'user_data':
      return c.userData;
    case 'buf':
      return bytes(c.buf);
    default:
      return m.fail('AttributeError', `'Cqe' object has no attribute '${name}'`);
  }
}
