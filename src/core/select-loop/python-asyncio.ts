import type { FunctionCode } from '../python/ast.ts';
import { exc, osError } from '../python/exceptions.ts';
import type { Completion, Frame, TracebackEntry } from '../python/frame.ts';
import type { Machine } from '../python/machine.ts';
import { PartialCall, PyError, newFrame, reportException } from '../python/machine.ts';
import type { AsyncTask, AwaitOp, EventLoop, FutureCallback, InternalCoro, LoopHandle, TaskWait, Transport } from './event-loop.ts';
import { callAt, callSoon, patchTask, patchTransport, taskById, transportOf } from './event-loop.ts';
import type { KernelError } from './kernel.ts';
import { acceptConnection, bindSocket, closeOtherFd, closeSocket, connected, findSocket, listenSocket, openOtherFd, openPair, openSocket, portInUse, receive, setBlocking, transmit } from './kernel.ts';
import type { HeapObj, PyValue, Vars } from './py-value.ts';
import { ERROR_CLASS } from './python-socket.ts';
import { NONE, bool, bytes, int, opaque, str, tuple } from './py-value.ts';
import { EMPTY_SELECTOR, EVENT_READ, EVENT_WRITE, maskNames, register, registrationOf, unregister } from './selector.ts';
import type { LoopWorld } from './world.ts';

/**
 * The asyncio module over the simulated kernel, following CPython 3.11's selector event loop on
 * Linux call for call: asyncio.run() makes an epoll selector (fd 3) and a self-pipe socketpair
 * (fds 4 and 5); start_server() listens on the next fd; each accepted connection gets a transport
 * whose callbacks recv() and send() on the loop's behalf, and a task for the program's handler.
 */

type Kwargs = Readonly<Record<string, PyValue>>;
type Future = Extract<HeapObj, { kind: 'future' }>;
type Coroutine = Extract<HeapObj, { kind: 'coroutine' }>;
type Reader = Extract<HeapObj, { kind: 'reader' }>;

/** _SelectorSocketTransport.max_size: what one recv() asks for. */
const MAX_SIZE = 256 * 1024;
/** The write buffer's high-water mark: above it, drain() waits (FlowControlMixin's 64 KiB default). */
const HIGH_WATER = 64 * 1024;
/** create_server()'s default backlog, passed to listen() and the number of accept()s per wake-up. */
const BACKLOG = 100;
const MICROS = 1_000_000;

const CANCELLED = 'asyncio.exceptions.CancelledError';
const READ_HANDLE = opaque('<Handle _SelectorSocketTransport._read_ready()>');
const WRITE_HANDLE = opaque('<Handle _SelectorSocketTransport._write_ready()>');
const ACCEPT_HANDLE = opaque('<Handle BaseSelectorEventLoop._accept_connection()>');
const SELF_HANDLE = opaque('<Handle BaseSelectorEventLoop._read_from_self()>');

// ---- the loop in the world --------------------------------------------------------------------

/** The running loop, as asyncio.get_running_loop() finds it. */
export function loopOf(m: Machine): EventLoop {
  const loop = m.world.asyncio;
  if (loop === undefined || loop.state === 'stopped') return m.fail('RuntimeError', 'no running event loop');
  return loop;
}

function setLoop(m: Machine, loop: EventLoop): void {
  m.world = { ...m.world, asyncio: loop };
}

function soon(m: Machine, ...handles: LoopHandle[]): void {
  setLoop(m, callSoon(loopOf(m), ...handles));
}

function obj<K extends HeapObj['kind']>(m: Machine, ref: number, kind: K): Extract<HeapObj, { kind: K }> {
  const o = m.heap(ref);
  if (o.kind !== kind) throw new RangeError(`heap object ${ref} is a ${o.kind}, not a ${kind}`);
  return o as Extract<HeapObj, { kind: K }>;
}

function patch<K extends HeapObj['kind']>(m: Machine, ref: number, kind: K, p: Partial<Extract<HeapObj, { kind: K }>>): void {
  m.setHeap(ref, { ...obj(m, ref, kind), ...p } as HeapObj);
}

function cancelledError(): PyValue {
  return exc(CANCELLED);
}

function isCancelled(m: Machine, e: PyValue): boolean {
  return m.excName(e) === CANCELLED;
}

function fdOfSock(m: Machine, sock: number): number {
  return findSocket(m.world.kernel, sock)?.fd ?? transportOf(loopOf(m), sock)?.fd ?? -1;
}

// ---- futures ----------------------------------------------------------------------------------

function newFuture(m: Machine, role: Future['role'], extra: Partial<Future> = {}): number {
  const f: Future = { kind: 'future', role, state: 'pending', result: NONE, exc: undefined, tb: [], callbacks: [], task: undefined, name: '', coro: '', children: [], retrieved: false, ...extra };
  return m.alloc(f);
}

function handleFor(m: Machine, cb: FutureCallback, future: number): LoopHandle {
  switch (cb.kind) {
    case 'wake':
      return { kind: 'task-step', task: cb.task };
    case 'gather':
      return { kind: 'gather-done', gather: cb.gather, child: future };
    case 'handler-done':
      return { kind: 'handler-done', task: obj(m, future, 'future').task ?? -1, sock: cb.sock };
    case 'stop':
      return { kind: 'stop' };
  }
}

/** set_result(), set_exception() or cancel(): each done callback is scheduled with call_soon(), in the order added. */
function settle(m: Machine, ref: number, outcome: Pick<Future, 'state'> & Partial<Pick<Future, 'result' | 'exc' | 'tb'>>): void {
  const f = obj(m, ref, 'future');
  if (f.state !== 'pending') return;
  m.setHeap(ref, { ...f, ...outcome, callbacks: [] });
  soon(m, ...f.callbacks.map((cb) => handleFor(m, cb, ref)));
}

/** add_done_callback(): on a finished future the callback is scheduled at once. */
function addCallback(m: Machine, ref: number, cb: FutureCallback): void {
  const f = obj(m, ref, 'future');
  if (f.state !== 'pending') soon(m, handleFor(m, cb, ref));
  else if (!f.callbacks.some((c) => JSON.stringify(c) === JSON.stringify(cb))) m.setHeap(ref, { ...f, callbacks: [...f.callbacks, cb] });
}

/** What a finished future gives an await: its result, or its exception raised again. */
function outcomeOf(m: Machine, ref: number, where: TracebackEntry | undefined): PyValue {
  const f = obj(m, ref, 'future');
  if (f.state === 'cancelled') throw new PyError(cancelledError());
  if (f.exc !== undefined) {
    m.setHeap(ref, { ...f, retrieved: true });
    throw new PyError(f.exc, where === undefined ? undefined : [where, ...f.tb]);
  }
  return f.result;
}

// ---- tasks ------------------------------------------------------------------------------------

function coroName(m: Machine, ref: number): string {
  return obj(m, ref, 'coroutine').name;
}

/** loop.create_task(): a Task-N whose first step is scheduled at once. */
function newTask(m: Machine, coro: number | undefined, internal: InternalCoro | undefined, label: string, given?: string): number {
  const loop = loopOf(m);
  const id = loop.tasksCreated + 1;
  const name = given ?? `Task-${id}`;
  const ref = newFuture(m, 'task', { task: id, name, coro: label });
  let frames: Frame[] = [];
  let taskInternal = internal;
  if (coro !== undefined) {
    const c = obj(m, coro, 'coroutine');
    m.setHeap(coro, { ...c, state: 'running' });
    const fn = c.fn;
    if (fn?.type === 'function') frames = [newFrame(fn.fn.name, fn.fn, fn.fn.body, c.vars, 0, undefined, coro)];
    else taskInternal = { kind: 'await-op', coro };
  }
  const top = frames[frames.length - 1];
  const task: AsyncTask = {
    id,
    name,
    coro: label,
    ref,
    frames,
    internal: taskInternal,
    line: top?.line,
    state: 'ready',
    awaiting: undefined,
    waitingOn: undefined,
    stack: frames.map((f) => f.fn),
    locals: {},
    mustCancel: false,
  };
  setLoop(m, callSoon({ ...loopOf(m), tasks: [...loopOf(m).tasks, task], tasksCreated: id }, { kind: 'task-step', task: id }));
  return ref;
}

/** The world with a task's frames written back after one of its lines ran. */
export function withTaskFrames(w: LoopWorld, task: number, frames: readonly Frame[]): LoopWorld {
  const loop = w.asyncio;
  if (loop === undefined) return w;
  const top = frames[frames.length - 1];
  return { ...w, asyncio: patchTask(loop, task, { frames, line: top?.line, stack: frames.map((f) => f.fn) }) };
}

/** A task awaits something not ready: it waits on `future`, or (neither given) yields and is ready again at once. */
export function suspended(w: LoopWorld, task: number, wait: TaskWait | undefined, future: number | undefined): LoopWorld {
  const loop = w.asyncio;
  if (loop === undefined) return w;
  const current = loop.current === task ? undefined : loop.current;
  if (wait === undefined && future === undefined) {
    return { ...w, asyncio: callSoon(patchTask({ ...loop, current }, task, { state: 'ready', awaiting: undefined, waitingOn: undefined }), { kind: 'task-step', task }) };
  }
  return { ...w, asyncio: patchTask({ ...loop, current }, task, { state: 'waiting', awaiting: wait, waitingOn: future }) };
}

function suspend(m: Machine, wait: TaskWait | undefined, future: number | undefined): never {
  if (future !== undefined && m.task !== undefined) addCallback(m, future, { kind: 'wake', task: m.task });
  return m.suspendTask(wait, future);
}

/** A task's coroutine has returned or raised: its future is done and the task leaves the loop. */
export function endTask(m: Machine, id: number, c: Extract<Completion, { kind: 'raise' | 'return' }>): LoopWorld {
  const loop = loopOf(m);
  const t = taskById(loop, id);
  if (t === undefined) throw new RangeError(`no task ${id}`);
  setLoop(m, { ...loop, tasks: loop.tasks.filter((x) => x.id !== id), current: loop.current === id ? undefined : loop.current });
  if (c.kind === 'return') settle(m, t.ref, { state: 'done', result: c.value });
  else if (isCancelled(m, c.exc)) settle(m, t.ref, { state: 'cancelled' });
  else settle(m, t.ref, { state: 'done', exc: c.exc, tb: c.tb });
  return m.world;
}

export function makeCoroutine(m: Machine, fn: Extract<PyValue, { type: 'function' }>, vars: Vars): PyValue {
  return { type: 'coroutine', ref: m.alloc({ kind: 'coroutine', name: fn.fn.name, fn, vars, op: undefined, state: 'created', future: undefined, phase: 0, value: undefined }) };
}

function opCoroutine(m: Machine, name: string, op: AwaitOp): PyValue {
  return { type: 'coroutine', ref: m.alloc({ kind: 'coroutine', name, fn: undefined, vars: {}, op, state: 'created', future: undefined, phase: 0, value: undefined }) };
}

export function coroutineDone(m: Machine, ref: number): void {
  patch(m, ref, 'coroutine', { state: 'done' });
}

/** Task.cancel(): cancel the future it waits on, or have CancelledError thrown in when it next runs. */
function cancelTask(m: Machine, ref: number): boolean {
  const f = obj(m, ref, 'future');
  if (f.state !== 'pending' || f.task === undefined) return false;
  const t = taskById(loopOf(m), f.task);
  if (t === undefined) return false;
  if (t.waitingOn !== undefined && obj(m, t.waitingOn, 'future').state === 'pending') {
    cancelFuture(m, t.waitingOn);
    return true;
  }
  setLoop(m, patchTask(loopOf(m), t.id, { mustCancel: true }));
  return true;
}

function cancelFuture(m: Machine, ref: number): void {
  const f = obj(m, ref, 'future');
  if (f.role === 'task') {
    cancelTask(m, ref);
    return;
  }
  // asyncio.sleep() cancels its timer when its future is cancelled.
  const loop = loopOf(m);
  setLoop(m, { ...loop, timers: loop.timers.filter((t) => !(t.handle.kind === 'set-result' && t.handle.future === ref)) });
  if (f.role === 'gather') for (const child of f.children) cancelTask(m, child);
  settle(m, ref, { state: 'cancelled' });
}

// ---- await --------------------------------------------------------------------------------------

function here(m: Machine): TracebackEntry {
  const f = m.top();
  return { file: m.module.file, line: f.line, fn: f.fn };
}

function futureWait(m: Machine, ref: number): TaskWait {
  const f = obj(m, ref, 'future');
  if (f.role === 'gather') return { kind: 'gather', tasks: f.children.map((c) => obj(m, c, 'future').name) };
  return { kind: 'task', task: f.name };
}

/** `await v` in the running task: a value, an exception, a frame pushed (a coroutine of the program's), or the task suspends. */
export function awaitValue(m: Machine, v: PyValue, idx: number): PyValue {
  const id = m.task;
  if (id === undefined) return m.fail('RuntimeError', 'await runs only inside a task');
  const t = taskById(loopOf(m), id);
  if (t?.mustCancel === true) {
    setLoop(m, patchTask(loopOf(m), id, { mustCancel: false }));
    throw new PyError(cancelledError());
  }
  if (v.type === 'coroutine') {
    const c = obj(m, v.ref, 'coroutine');
    if (c.state === 'done') return m.fail('RuntimeError', 'cannot reuse already awaited coroutine');
    if (c.fn?.type === 'function') {
      if (c.state === 'running') return m.fail('RuntimeError', 'coroutine is being awaited already');
      m.setHeap(v.ref, { ...c, state: 'running' });
      return m.enterCoroutine(v.ref, c.fn.fn as FunctionCode, c.vars, idx);
    }
    const r = advanceOp(m, v.ref);
    if (r.kind === 'done') return r.value;
    return suspend(m, r.wait, r.future);
  }
  if (v.type === 'future') {
    const f = obj(m, v.ref, 'future');
    if (f.task === id) return m.fail('RuntimeError', `Task cannot await on itself: ${m.repr(v)}`);
    if (f.state !== 'pending') return outcomeOf(m, v.ref, here(m));
    return suspend(m, futureWait(m, v.ref), v.ref);
  }
  return m.fail('TypeError', `object ${m.typeName(v)} can't be used in 'await' expression`);
}

type OpResult = { readonly kind: 'done'; readonly value: PyValue } | { readonly kind: 'wait'; readonly wait: TaskWait | undefined; readonly future: number | undefined };

const YIELD: OpResult = { kind: 'wait', wait: undefined, future: undefined };

function done(m: Machine, ref: number, value: PyValue): OpResult {
  patch(m, ref, 'coroutine', { state: 'done', future: undefined });
  return { kind: 'done', value };
}

function failOp(m: Machine, ref: number, e: PyValue): never {
  patch(m, ref, 'coroutine', { state: 'done', future: undefined });
  throw new PyError(e);
}

/** Runs an asyncio coroutine as far as it goes now; it keeps its progress (phase, future) on itself. */
function advanceOp(m: Machine, ref: number): OpResult {
  const c = obj(m, ref, 'coroutine');
  const op = c.op as AwaitOp;
  if (c.state === 'created') m.setHeap(ref, { ...c, state: 'running' });
  if (c.future !== undefined && obj(m, c.future, 'future').state === 'cancelled') {
    if (op.op === 'readline' || op.op === 'readexactly' || op.op === 'read') patch(m, op.reader, 'reader', { waiter: undefined });
    if (op.op === 'serve_forever') serverClose(m, op.server);
    return failOp(m, ref, cancelledError());
  }
  switch (op.op) {
    case 'readline':
    case 'readexactly':
    case 'read':
      return readOp(m, ref, op);
    case 'drain':
      return drainOp(m, ref, op.writer, c.phase);
    case 'wait_closed': {
      const tr = writerTransport(m, op.writer);
      const f = obj(m, tr.closed, 'future');
      if (f.state !== 'pending') {
        patch(m, ref, 'coroutine', { state: 'done' });
        return { kind: 'done', value: outcomeOf(m, tr.closed, undefined) };
      }
      patch(m, ref, 'coroutine', { future: tr.closed });
      return { kind: 'wait', wait: { kind: 'wait_closed', fd: tr.fd }, future: tr.closed };
    }
    case 'sleep': {
      if (c.phase === 1) return done(m, ref, op.result);
      patch(m, ref, 'coroutine', { phase: 1 });
      if (op.delay <= 0) return YIELD;
      const until = m.world.clock + Math.round(op.delay * MICROS);
      const f = newFuture(m, 'future');
      setLoop(m, callAt(loopOf(m), until, { kind: 'set-result', future: f, what: 'sleep' }));
      patch(m, ref, 'coroutine', { future: f });
      return { kind: 'wait', wait: { kind: 'sleep', until }, future: f };
    }
    case 'start_server':
      return startServerOp(m, ref, op, c);
    case 'serve_forever': {
      const s = obj(m, op.server, 'server');
      if (c.phase === 0) {
        if (s.forever !== undefined) return failOp(m, ref, exc('RuntimeError', str(`server ${m.repr({ type: 'server', ref: op.server })} is already being awaited on serve_forever()`)));
        if (s.closed) return failOp(m, ref, exc('RuntimeError', str(`server ${m.repr({ type: 'server', ref: op.server })} is closed`)));
        const f = newFuture(m, 'future');
        patch(m, op.server, 'server', { forever: f });
        patch(m, ref, 'coroutine', { phase: 1, future: f });
      }
      const f = obj(m, ref, 'coroutine').future as number;
      return { kind: 'wait', wait: { kind: 'serve_forever', fd: fdOfSock(m, s.socks[0] ?? -1) }, future: f };
    }
    case 'value':
      return done(m, ref, op.result);
  }
}

function takeFrom(m: Machine, readerRef: number, n: number): string {
  const r = obj(m, readerRef, 'reader');
  m.setHeap(readerRef, { ...r, buffer: r.buffer.slice(n) });
  return r.buffer.slice(0, n);
}

/** StreamReader.readline(), readexactly(n), read(n): answer from the buffer, or wait for the transport to feed it. */
function readOp(m: Machine, ref: number, op: Extract<AwaitOp, { op: 'readline' | 'readexactly' | 'read' }>): OpResult {
  patch(m, ref, 'coroutine', { future: undefined });
  const r = obj(m, op.reader, 'reader');
  if (r.waiter !== undefined && obj(m, r.waiter, 'future').state !== 'pending') patch(m, op.reader, 'reader', { waiter: undefined });
  if (op.op === 'readexactly' && op.n < 0) return failOp(m, ref, exc('ValueError', str('readexactly size can not be less than zero')));
  if (r.exc !== undefined) return failOp(m, ref, r.exc);
  const buf = r.buffer;
  switch (op.op) {
    case 'readline': {
      const i = buf.indexOf('\n');
      if (i >= 0) return done(m, ref, bytes(takeFrom(m, op.reader, i + 1)));
      if (r.eof) return done(m, ref, bytes(takeFrom(m, op.reader, buf.length)));
      break;
    }
    case 'readexactly':
      if (buf.length >= op.n) return done(m, ref, bytes(takeFrom(m, op.reader, op.n)));
      if (r.eof) return failOp(m, ref, incompleteRead(takeFrom(m, op.reader, buf.length), op.n));
      break;
    case 'read':
      if (op.n === 0) return done(m, ref, bytes(''));
      if (op.n > 0 && buf.length > 0) return done(m, ref, bytes(takeFrom(m, op.reader, op.n)));
      if (r.eof) return done(m, ref, bytes(takeFrom(m, op.reader, buf.length)));
      break;
  }
  const current = obj(m, op.reader, 'reader');
  if (current.waiter !== undefined) {
    const fn = op.op === 'readline' ? 'readuntil' : op.op;
    return failOp(m, ref, exc('RuntimeError', str(`${fn}() called while another coroutine is already waiting for incoming data`)));
  }
  const f = newFuture(m, 'future');
  m.setHeap(op.reader, { ...current, waiter: f });
  patch(m, ref, 'coroutine', { future: f });
  const fd = fdOfSock(m, current.sock);
  return { kind: 'wait', wait: op.op === 'readline' ? { kind: 'readline', fd } : { kind: op.op, fd, n: op.n }, future: f };
}

/** asyncio.IncompleteReadError(partial, expected), with CPython's message and attributes. */
function incompleteRead(partial: string, expected: number): PyValue {
  return {
    type: 'exception',
    cls: { type: 'type', name: 'asyncio.exceptions.IncompleteReadError' },
    args: [str(`${partial.length} bytes read on a total of ${expected} expected bytes`)],
    attrs: { partial: bytes(partial), expected: int(expected) },
  };
}

/** StreamWriter.drain(): the reader's error; one yield if the transport is closing; ConnectionResetError once it is lost; a wait above the high-water mark. */
function drainOp(m: Machine, ref: number, writer: number, phase: number): OpResult {
  const tr = writerTransport(m, writer);
  if (phase === 0) {
    const reader = obj(m, tr.reader, 'reader');
    if (reader.exc !== undefined) return failOp(m, ref, reader.exc);
    if (tr.closing) {
      patch(m, ref, 'coroutine', { phase: 1 });
      return YIELD;
    }
  }
  if (tr.lost) return failOp(m, ref, exc('ConnectionResetError', str('Connection lost')));
  if (tr.buffer.length <= HIGH_WATER) return done(m, ref, NONE);
  const f = newFuture(m, 'future');
  setLoop(m, patchTransport(loopOf(m), tr.sock, { drainWaiter: f }));
  patch(m, ref, 'coroutine', { phase: 1, future: f });
  return { kind: 'wait', wait: { kind: 'drain', fd: tr.fd }, future: f };
}

// ---- selector registrations ---------------------------------------------------------------------

function registrationData(m: Machine, sock: number, mask: number): PyValue {
  const listener = loopOf(m).listeners.some((l) => l.sock === sock);
  const self = loopOf(m).selfPipe[0] === sock;
  const reader = self ? SELF_HANDLE : listener ? ACCEPT_HANDLE : READ_HANDLE;
  return tuple(mask & EVENT_READ ? reader : NONE, mask & EVENT_WRITE ? WRITE_HANDLE : NONE);
}

/** loop._add_reader / _add_writer: register the fd, or modify its registration to add the event. */
function watch(m: Machine, sock: number, event: number): void {
  const sel = m.world.selector ?? EMPTY_SELECTOR;
  const fd = fdOfSock(m, sock);
  const reg = registrationOf(sel, sock);
  if (reg === undefined) {
    m.world = { ...m.world, selector: register(sel, sock, fd, event, registrationData(m, sock, event)) };
    m.record({ call: 'register', fd, args: [maskNames(event).join('|')], result: 'SelectorKey' });
    return;
  }
  const mask = reg.mask | event;
  if (mask === reg.mask) return;
  const registry = sel.registry.map((r) => (r.sock === sock ? { ...r, mask, events: maskNames(mask), data: registrationData(m, sock, mask) } : r));
  m.world = { ...m.world, selector: { ...sel, registry } };
  m.record({ call: 'modify', fd, args: [maskNames(mask).join('|')], result: 'SelectorKey' });
}

/** loop._remove_reader / _remove_writer: drop the event, unregistering the fd when none is left. */
function unwatch(m: Machine, sock: number, event: number): void {
  const sel = m.world.selector;
  const reg = sel === undefined ? undefined : registrationOf(sel, sock);
  if (sel === undefined || reg === undefined || (reg.mask & event) === 0) return;
  const mask = reg.mask & ~event;
  if (mask === 0) {
    m.world = { ...m.world, selector: unregister(sel, sock) };
    m.record({ call: 'unregister', fd: reg.fd, result: 'SelectorKey' });
    return;
  }
  const registry = sel.registry.map((r) => (r.sock === sock ? { ...r, mask, events: maskNames(mask), data: registrationData(m, sock, mask) } : r));
  m.world = { ...m.world, selector: { ...sel, registry } };
  m.record({ call: 'modify', fd: reg.fd, args: [maskNames(mask).join('|')], result: 'SelectorKey' });
}

// ---- the kernel calls the loop makes ------------------------------------------------------------

function errnoValue(errno: KernelError): PyValue {
  return osError(ERROR_CLASS[errno], errno);
}

function raisedText(m: Machine, e: PyValue): string {
  return `${m.excName(e)}: ${m.excText(e)}`;
}

function peerOf(m: Machine, sock: number): string | undefined {
  const s = connected(m.world.kernel, sock);
  return s === undefined || s.pair !== undefined ? undefined : s.peerName;
}

function setNonBlocking(m: Machine, sock: number): void {
  const fd = fdOfSock(m, sock);
  m.world = { ...m.world, kernel: setBlocking(m.world.kernel, sock, false) };
  m.record({ call: 'setblocking', fd, args: ['False'], result: 'None' });
}

function closeSock(m: Machine, sock: number): void {
  const s = findSocket(m.world.kernel, sock);
  if (s === undefined || s.fd === undefined) return;
  m.record({ call: 'close', fd: s.fd, peer: peerOf(m, sock) });
  m.world = { ...m.world, kernel: closeSocket(m.world.kernel, sock) };
  const sel = m.world.selector;
  if (sel !== undefined && registrationOf(sel, sock) !== undefined) m.world = { ...m.world, selector: unregister(sel, sock) };
}

function count(m: Machine, key: 'bytesIn' | 'bytesOut', n: number): void {
  if (n > 0) m.world = { ...m.world, counters: { ...m.world.counters, [key]: m.world.counters[key] + n } };
}

// ---- asyncio.run --------------------------------------------------------------------------------

/** BaseSelectorEventLoop.__init__: the epoll selector, then the self-pipe, registered for reading. */
function createLoop(m: Machine, coro: number): void {
  if (m.world.selector !== undefined && !m.world.selector.closed) m.fail('NotImplementedError', 'this simulation runs one selector per program, and asyncio needs its own');
  const ep = openOtherFd(m.world.kernel);
  m.world = { ...m.world, kernel: ep.kernel, selector: { ...EMPTY_SELECTOR, fd: ep.fd } };
  m.record({ call: 'DefaultSelector', fd: ep.fd, result: `epoll fd ${ep.fd}` });
  const pair = openPair(m.world.kernel);
  m.world = { ...m.world, kernel: pair.kernel };
  const [ssock, csock] = pair.ids;
  m.record({ call: 'socketpair', result: `fds ${fdOfSockRaw(m, ssock)}, ${fdOfSockRaw(m, csock)}` });
  const loop: EventLoop = {
    state: 'running',
    mainTask: 0,
    shutdown: false,
    tasks: [],
    ready: [],
    ntodo: 0,
    timers: [],
    current: undefined,
    selfPipe: [ssock, csock],
    transports: [],
    listeners: [],
    tasksCreated: m.world.asyncio?.tasksCreated ?? 0,
    timerSeq: 0,
    iterations: 0,
  };
  setLoop(m, loop);
  setNonBlocking(m, ssock);
  setNonBlocking(m, csock);
  watch(m, ssock, EVENT_READ);
  const main = newTask(m, coro, undefined, coroName(m, coro));
  addCallback(m, main, { kind: 'stop' });
  setLoop(m, { ...loopOf(m), mainTask: obj(m, main, 'future').task ?? 0 });
}

function fdOfSockRaw(m: Machine, sock: number): number {
  return findSocket(m.world.kernel, sock)?.fd ?? -1;
}

/** Runner.close(): the self-pipe's reader removed, both ends closed, then the selector. */
function closeLoop(m: Machine): void {
  const loop = loopOf(m);
  unwatch(m, loop.selfPipe[0], EVENT_READ);
  closeSock(m, loop.selfPipe[0]);
  closeSock(m, loop.selfPipe[1]);
  const sel = m.world.selector;
  if (sel !== undefined && !sel.closed) {
    const kernel = sel.fd === undefined ? m.world.kernel : closeOtherFd(m.world.kernel, sel.fd);
    m.world = { ...m.world, kernel, selector: { ...sel, registry: [], closed: true } };
    m.record({ call: 'selector.close', fd: sel.fd });
  }
  reportUnretrieved(m);
  setLoop(m, { ...loopOf(m), state: 'stopped', ready: [], ntodo: 0, timers: [], current: undefined });
}

/** Tasks that ended with an exception nobody looked at: CPython logs them when the task is garbage-collected. */
function reportUnretrieved(m: Machine): void {
  for (let r = 0; r < m.world.heap.size; r++) {
    const o = m.heap(r);
    if (o.kind !== 'future' || o.role !== 'task' || o.exc === undefined || o.retrieved) continue;
    m.setHeap(r, { ...o, retrieved: true });
    const header = ['Task exception was never retrieved', `future: <Task finished name='${o.name}' coro=<${o.coro}() done> exception=${m.repr(o.exc)}>`];
    m.world = reportException(m.world, 'MainThread', header, { kind: 'raise', exc: o.exc, tb: o.tb }, (v) => m.excName(v), (v) => m.excText(v));
  }
}

/**
 * asyncio.run(coro): the first call makes the loop and Task-1 and hands over to the loop's steps
 * (resume 1). When the main task is done the line runs again: pending tasks are cancelled and the
 * loop runs until they finish (resume 2), then it closes and the main task's outcome is returned.
 */
function runMain(m: Machine, args: readonly PyValue[], resume: number | undefined): PyValue {
  if (resume === undefined) {
    const loop = m.world.asyncio;
    if (loop !== undefined && loop.state !== 'stopped') return m.fail('RuntimeError', 'asyncio.run() cannot be called from a running event loop');
    const coro = args[0] ?? NONE;
    if (coro.type !== 'coroutine') return m.fail('ValueError', `a coroutine was expected, got ${m.repr(coro)}`);
    if (obj(m, coro.ref, 'coroutine').state !== 'created') return m.fail('RuntimeError', 'cannot reuse already awaited coroutine');
    createLoop(m, coro.ref);
    throw new PartialCall(1);
  }
  const loop = loopOf(m);
  if (resume === 1 && loop.tasks.length > 0) {
    const pending = loop.tasks.map((t) => t.ref);
    for (const ref of pending) cancelTask(m, ref);
    const g = newFuture(m, 'gather', { children: pending, returnExceptions: true });
    for (const ref of pending) addCallback(m, ref, { kind: 'gather', gather: g });
    addCallback(m, g, { kind: 'stop' });
    setLoop(m, { ...loopOf(m), state: 'running', shutdown: true });
    throw new PartialCall(2);
  }
  const main = mainFuture(m, loop);
  // asyncio.run() itself retrieves the main task's outcome, so it is never reported as unretrieved.
  if (main !== undefined) patch(m, main, 'future', { retrieved: true });
  closeLoop(m);
  if (main === undefined) return NONE;
  const f = obj(m, main, 'future');
  if (f.state === 'cancelled') throw new PyError(cancelledError());
  if (f.exc !== undefined) throw new PyError(f.exc, [here(m), ...f.tb]);
  return f.result;
}

function mainFuture(m: Machine, loop: EventLoop): number | undefined {
  for (let r = 0; r < m.world.heap.size; r++) {
    const o = m.heap(r);
    if (o.kind === 'future' && o.role === 'task' && o.task === loop.mainTask) return r;
  }
  return undefined;
}

// ---- start_server and Server --------------------------------------------------------------------

/**
 * start_server() → create_server(): gather() of the address lookups (a task of its own, Task-2
 * for the first server), then socket, SO_REUSEADDR, bind, non-blocking, listen(100), the listener
 * registered for reading, and one yield (create_server's sleep(0)) before the Server is returned.
 */
function startServerOp(m: Machine, ref: number, op: Extract<AwaitOp, { op: 'start_server' }>, c: Coroutine): OpResult {
  if (c.phase === 0) {
    const lookup = newTask(m, undefined, { kind: 'getaddrinfo' }, 'BaseEventLoop._create_server_getaddrinfo');
    const g = newFuture(m, 'gather', { children: [lookup] });
    addCallback(m, lookup, { kind: 'gather', gather: g });
    patch(m, ref, 'coroutine', { phase: 1, future: g });
    return { kind: 'wait', wait: { kind: 'getaddrinfo', tasks: [obj(m, lookup, 'future').name] }, future: g };
  }
  if (c.phase === 2) return done(m, ref, c.value ?? NONE);
  const host = op.host.type === 'str' ? op.host.value : '127.0.0.1';
  const port = op.port.type === 'int' ? op.port.value : 0;
  const s = openSocket(m.world.kernel);
  m.world = { ...m.world, kernel: s.kernel };
  m.record({ call: 'socket', fd: s.fd, result: `fd ${s.fd}` });
  m.record({ call: 'setsockopt', fd: s.fd, args: ['1', '2', 'True'], result: 'None' });
  const address = `('${host}', ${port})`;
  if (portInUse(m.world.kernel, port)) {
    m.record({ call: 'bind', fd: s.fd, raised: 'OSError: [Errno 98] Address already in use' });
    closeSock(m, s.id);
    return failOp(m, ref, { type: 'exception', cls: { type: 'type', name: 'OSError' }, args: [int(98), str(`error while attempting to bind on address ${address}: address already in use`)], errno: 98 });
  }
  m.world = { ...m.world, kernel: bindSocket(m.world.kernel, s.id, { host: host === 'localhost' ? '127.0.0.1' : host, port }) };
  m.record({ call: 'bind', fd: s.fd, args: [address], result: 'None' });
  setNonBlocking(m, s.id);
  const server = m.alloc({ kind: 'server', socks: [s.id], closed: false, forever: undefined, callback: op.callback });
  m.world = { ...m.world, kernel: listenSocket(m.world.kernel, s.id, BACKLOG) };
  m.record({ call: 'listen', fd: s.fd, result: 'None' });
  setLoop(m, { ...loopOf(m), listeners: [...loopOf(m).listeners, { sock: s.id, server }] });
  watch(m, s.id, EVENT_READ);
  patch(m, ref, 'coroutine', { phase: 2, future: undefined, value: { type: 'server', ref: server } });
  return YIELD;
}

/** Server.close(): stop accepting (the listener's reader removed, its socket closed) and end serve_forever(). */
export function serverClose(m: Machine, ref: number): void {
  const s = obj(m, ref, 'server');
  if (s.closed) return;
  m.setHeap(ref, { ...s, closed: true });
  for (const sock of s.socks) {
    unwatch(m, sock, EVENT_READ);
    closeSock(m, sock);
  }
  setLoop(m, { ...loopOf(m), listeners: loopOf(m).listeners.filter((l) => l.server !== ref) });
  if (s.forever !== undefined) cancelFuture(m, s.forever);
}

/** `async with x:` calls x.__aenter__(): a Server gives itself (its __aexit__ closes it, which needs no await here). */
export function enterAsyncContext(m: Machine, v: PyValue): PyValue {
  if (v.type === 'server') return v;
  return m.fail('TypeError', `'${m.typeName(v)}' object does not support the asynchronous context manager protocol`);
}

// ---- transports ---------------------------------------------------------------------------------

function writerTransport(m: Machine, writer: number): Transport {
  const tr = transportOf(loopOf(m), obj(m, writer, 'writer').sock);
  if (tr === undefined) throw new RangeError('a StreamWriter without its transport');
  return tr;
}

function transportFor(m: Machine, sock: number): Transport {
  const tr = transportOf(loopOf(m), sock);
  if (tr === undefined) throw new RangeError(`no transport for socket ${sock}`);
  return tr;
}

function setTransport(m: Machine, sock: number, p: Partial<Transport>): void {
  setLoop(m, patchTransport(loopOf(m), sock, p));
}

/** The reader's waiting read, if any, is woken: it looks at the buffer again when its task runs. */
function wakeReader(m: Machine, readerRef: number, p: Partial<Reader>): void {
  const r = obj(m, readerRef, 'reader');
  m.setHeap(readerRef, { ...r, ...p, waiter: undefined });
  if (r.waiter !== undefined) settle(m, r.waiter, { state: 'done', result: NONE });
}

/** _SelectorTransport._force_close(): after a fatal error, stop reading and writing and lose the connection soon. */
function forceClose(m: Machine, sock: number, e: PyValue): void {
  const tr = transportFor(m, sock);
  if (tr.connLost) return;
  if (tr.buffer !== '') {
    setTransport(m, sock, { buffer: '' });
    unwatch(m, sock, EVENT_WRITE);
  }
  if (!tr.closing) unwatch(m, sock, EVENT_READ);
  setTransport(m, sock, { closing: true, connLost: true });
  soon(m, { kind: 'connection-lost', fd: tr.fd, sock, exc: e });
}

/** transport.close(): no more reads; once the buffer is sent, connection_lost() and the socket's close(). */
function transportClose(m: Machine, sock: number): void {
  const tr = transportFor(m, sock);
  if (tr.closing) return;
  setTransport(m, sock, { closing: true });
  unwatch(m, sock, EVENT_READ);
  if (tr.buffer === '') {
    setTransport(m, sock, { connLost: true });
    unwatch(m, sock, EVENT_WRITE);
    soon(m, { kind: 'connection-lost', fd: tr.fd, sock, exc: undefined });
  }
}

/** transport.write(): send() at once when nothing is queued; what the kernel did not take waits for EVENT_WRITE. */
function transportWrite(m: Machine, sock: number, data: string): void {
  const tr = transportFor(m, sock);
  if (tr.connLost || data === '') return;
  let rest = data;
  if (tr.buffer === '') {
    const fd = tr.fd;
    const r = transmit(m.world.kernel, sock, data);
    if (r.kind === 'error') {
      m.world = { ...m.world, kernel: r.kernel };
      const e = errnoValue(r.errno);
      m.record({ call: 'send', fd, raised: raisedText(m, e) });
      forceClose(m, sock, e);
      return;
    }
    if (r.kind === 'wait') m.record({ call: 'send', fd, raised: 'BlockingIOError: [Errno 11] Resource temporarily unavailable' });
    else {
      m.world = { ...m.world, kernel: r.kernel };
      m.record({ call: 'send', fd, args: [m.repr(bytes(data))], result: String(r.value), bytes: r.value, peer: peerOf(m, sock) });
      count(m, 'bytesOut', r.value);
      rest = data.slice(r.value);
      if (rest === '') return;
    }
    watch(m, sock, EVENT_WRITE);
  }
  setTransport(m, sock, { buffer: transportFor(m, sock).buffer + rest });
}

// ---- the loop's callbacks -----------------------------------------------------------------------

/** One ready callback that is the loop's own code rather than a task of the program. */
export function runHandle(m: Machine, h: Exclude<LoopHandle, { kind: 'task-step' }>): void {
  switch (h.kind) {
    case 'accept':
      acceptConnections(m, h.sock);
      return;
    case 'read':
      readReady(m, h.sock);
      return;
    case 'write':
      writeReady(m, h.sock);
      return;
    case 'connection-made':
      connectionMade(m, h.sock);
      return;
    case 'add-reader':
      if (!transportFor(m, h.sock).closing) watch(m, h.sock, EVENT_READ);
      return;
    case 'set-result':
      settle(m, h.future, { state: 'done', result: NONE });
      return;
    case 'connection-lost':
      connectionLost(m, h.sock, h.exc);
      return;
    case 'gather-done':
      gatherDone(m, h.gather, h.child);
      return;
    case 'handler-done':
      handlerDone(m, h.task, h.sock);
      return;
    case 'stop':
      setLoop(m, { ...loopOf(m), state: 'stopping' });
      return;
  }
}

/** _accept_connection(): accept() until the queue is empty (up to the backlog), each connection made non-blocking and given a task of its own. */
function acceptConnections(m: Machine, listener: number): void {
  const server = loopOf(m).listeners.find((l) => l.sock === listener)?.server;
  const fd = fdOfSock(m, listener);
  for (let i = 0; i < BACKLOG; i++) {
    const r = acceptConnection(m.world.kernel, listener);
    if (r.kind !== 'done') {
      m.record({ call: 'accept', fd, raised: 'BlockingIOError: [Errno 11] Resource temporarily unavailable' });
      return;
    }
    m.world = { ...m.world, kernel: r.kernel };
    const conn = r.value;
    m.record({ call: 'accept', fd, result: `fd ${conn.fd ?? '?'}`, peer: conn.peerName });
    setNonBlocking(m, conn.id);
    const callback = server === undefined ? NONE : obj(m, server, 'server').callback;
    const reader = m.alloc({ kind: 'reader', sock: conn.id, buffer: '', eof: false, exc: undefined, waiter: undefined });
    const closed = newFuture(m, 'future', { retrieved: true });
    const tr: Transport = {
      sock: conn.id,
      fd: conn.fd ?? -1,
      peer: conn.peer,
      reader,
      writer: undefined,
      closed,
      closing: false,
      connLost: false,
      lost: false,
      buffer: '',
      drainWaiter: undefined,
      callback,
      task: undefined,
    };
    setLoop(m, { ...loopOf(m), transports: [...loopOf(m).transports, tr] });
    newTask(m, undefined, { kind: 'accept-connection2', sock: conn.id, waiter: undefined }, 'BaseSelectorEventLoop._accept_connection2');
  }
}

/** _read_ready(): one recv(); bytes feed the reader, b'' is EOF (stop reading, keep the transport), an error closes it. */
function readReady(m: Machine, sock: number): void {
  const tr = transportFor(m, sock);
  if (tr.connLost) return;
  const r = receive(m.world.kernel, sock, MAX_SIZE);
  if (r.kind === 'wait') {
    m.record({ call: 'recv', fd: tr.fd, raised: 'BlockingIOError: [Errno 11] Resource temporarily unavailable' });
    return;
  }
  m.world = { ...m.world, kernel: r.kernel };
  if (r.kind === 'error') {
    const e = errnoValue(r.errno);
    m.record({ call: 'recv', fd: tr.fd, raised: raisedText(m, e) });
    forceClose(m, sock, e);
    return;
  }
  const data = r.value;
  m.record({ call: 'recv', fd: tr.fd, args: [String(MAX_SIZE)], result: m.repr(bytes(data)), bytes: data.length, peer: peerOf(m, sock) });
  count(m, 'bytesIn', data.length);
  const reader = obj(m, tr.reader, 'reader');
  if (data === '') {
    wakeReader(m, tr.reader, { eof: true });
    unwatch(m, sock, EVENT_READ);
    return;
  }
  wakeReader(m, tr.reader, { buffer: reader.buffer + data });
}

/** _write_ready(): send what is queued; once it is all sent, stop watching for EVENT_WRITE (and finish a close). */
function writeReady(m: Machine, sock: number): void {
  const tr = transportFor(m, sock);
  if (tr.connLost || tr.buffer === '') return;
  const r = transmit(m.world.kernel, sock, tr.buffer);
  if (r.kind === 'wait') return;
  m.world = { ...m.world, kernel: r.kernel };
  if (r.kind === 'error') {
    const e = errnoValue(r.errno);
    m.record({ call: 'send', fd: tr.fd, raised: raisedText(m, e) });
    forceClose(m, sock, e);
    return;
  }
  m.record({ call: 'send', fd: tr.fd, args: [m.repr(bytes(tr.buffer))], result: String(r.value), bytes: r.value, peer: peerOf(m, sock) });
  count(m, 'bytesOut', r.value);
  const buffer = tr.buffer.slice(r.value);
  setTransport(m, sock, { buffer });
  if (tr.drainWaiter !== undefined && buffer.length <= HIGH_WATER / 4) {
    settle(m, tr.drainWaiter, { state: 'done', result: NONE });
    setTransport(m, sock, { drainWaiter: undefined });
  }
  if (buffer !== '') return;
  unwatch(m, sock, EVENT_WRITE);
  if (tr.closing) {
    setTransport(m, sock, { connLost: true });
    soon(m, { kind: 'connection-lost', fd: tr.fd, sock, exc: undefined });
  }
}

/** StreamReaderProtocol.connection_made(): the StreamWriter, then the server's callback made a task (with a done callback that reports its exception). */
function connectionMade(m: Machine, sock: number): void {
  const tr = transportFor(m, sock);
  const writer = m.alloc({ kind: 'writer', sock, reader: tr.reader });
  setTransport(m, sock, { writer });
  const cb = tr.callback;
  if (cb.type !== 'function') return;
  const coro = makeCoroutine(m, cb, m.bindArgs(cb, [{ type: 'reader', ref: tr.reader }, { type: 'writer', ref: writer }], {}));
  const task = newTask(m, (coro as { ref: number }).ref, undefined, cb.fn.name);
  addCallback(m, task, { kind: 'handler-done', sock });
  setTransport(m, sock, { task: obj(m, task, 'future').task });
}

/** _call_connection_lost(): the reader gets EOF or the error, wait_closed() its answer, drain() its error; then the socket is closed. */
function connectionLost(m: Machine, sock: number, e: PyValue | undefined): void {
  const tr = transportFor(m, sock);
  if (tr.lost) return;
  if (e === undefined) wakeReader(m, tr.reader, { eof: true });
  else wakeReader(m, tr.reader, { exc: e });
  settle(m, tr.closed, e === undefined ? { state: 'done', result: NONE } : { state: 'done', exc: e });
  if (tr.drainWaiter !== undefined) settle(m, tr.drainWaiter, { state: 'done', result: NONE });
  setTransport(m, sock, { lost: true, drainWaiter: undefined });
  closeSock(m, sock);
}

/** gather()'s _done_callback: the first exception (unless return_exceptions) or, once every child is done, the list of results. */
function gatherDone(m: Machine, gather: number, child: number): void {
  const g = obj(m, gather, 'future');
  const c = obj(m, child, 'future');
  if (g.state !== 'pending') {
    if (c.exc !== undefined) m.setHeap(child, { ...c, retrieved: true });
    return;
  }
  if (g.returnExceptions !== true) {
    if (c.state === 'cancelled') {
      settle(m, gather, { state: 'done', exc: cancelledError() });
      return;
    }
    if (c.exc !== undefined) {
      m.setHeap(child, { ...c, retrieved: true });
      settle(m, gather, { state: 'done', exc: c.exc, tb: c.tb });
      return;
    }
  }
  const children = g.children.map((r) => obj(m, r, 'future'));
  if (children.some((x) => x.state === 'pending')) return;
  const results = children.map((x, i) => {
    if (x.exc !== undefined) m.setHeap(g.children[i] as number, { ...x, retrieved: true });
    return x.state === 'cancelled' ? cancelledError() : (x.exc ?? x.result);
  });
  settle(m, gather, { state: 'done', result: m.newList(results) });
}

/** The callback CPython 3.11.7+ adds to a handler's task: report an exception it ended with, and close the transport. */
function handlerDone(m: Machine, task: number, sock: number): void {
  const ref = taskFuture(m, task);
  const f = ref === undefined ? undefined : obj(m, ref, 'future');
  if (f !== undefined && ref !== undefined && f.state === 'done' && f.exc !== undefined) {
    m.setHeap(ref, { ...f, retrieved: true });
    const header = ['Unhandled exception in client_connected_cb', `transport: <_SelectorSocketTransport fd=${transportFor(m, sock).fd}>`];
    m.world = reportException(m.world, 'MainThread', header, { kind: 'raise', exc: f.exc, tb: f.tb }, (v) => m.excName(v), (v) => m.excText(v));
  }
  transportClose(m, sock);
}

function taskFuture(m: Machine, task: number): number | undefined {
  const t = taskById(loopOf(m), task);
  if (t !== undefined) return t.ref;
  for (let r = m.world.heap.size - 1; r >= 0; r--) {
    const o = m.heap(r);
    if (o.kind === 'future' && o.role === 'task' && o.task === task) return r;
  }
  return undefined;
}

/** One step of a task that has no Python frames: the loop's own coroutines, or an asyncio coroutine made a task. */
export function runInternalTask(m: Machine, t: AsyncTask): void {
  const internal = t.internal as InternalCoro;
  const finish = (c: Extract<Completion, { kind: 'raise' | 'return' }>) => {
    m.world = endTask(m, t.id, c);
  };
  if (t.mustCancel) {
    finish({ kind: 'raise', exc: cancelledError(), tb: [] });
    return;
  }
  switch (internal.kind) {
    case 'getaddrinfo':
      finish({ kind: 'return', value: NONE });
      return;
    case 'accept-connection2': {
      if (internal.waiter !== undefined) {
        finish({ kind: 'return', value: NONE });
        return;
      }
      const tr = transportFor(m, internal.sock);
      m.record({ call: 'setsockopt', fd: tr.fd, args: ['6', '1', '1'], result: 'None' });
      const waiter = newFuture(m, 'future');
      soon(m, { kind: 'connection-made', fd: tr.fd, sock: tr.sock }, { kind: 'add-reader', fd: tr.fd, sock: tr.sock }, { kind: 'set-result', future: waiter, what: 'waiter' });
      addCallback(m, waiter, { kind: 'wake', task: t.id });
      setLoop(m, patchTask(loopOf(m), t.id, { internal: { ...internal, waiter } }));
      m.world = suspended(m.world, t.id, { kind: 'connection_made', fd: tr.fd }, waiter);
      return;
    }
    case 'await-op':
      try {
        const r = advanceOp(m, internal.coro);
        if (r.kind === 'done') finish({ kind: 'return', value: r.value });
        else {
          if (r.future !== undefined) addCallback(m, r.future, { kind: 'wake', task: t.id });
          m.world = suspended(m.world, t.id, r.wait, r.future);
        }
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        finish({ kind: 'raise', exc: e.exc, tb: e.tb ?? [] });
      }
      return;
  }
}

// ---- the module's functions and its objects' methods ---------------------------------------------

function numberArg(m: Machine, v: PyValue | undefined, fn: string): number {
  if (v?.type === 'int' || v?.type === 'float') return v.value;
  if (v?.type === 'bool') return Number(v.value);
  return m.fail('TypeError', `${fn}: '${v === undefined ? 'NoneType' : m.typeName(v)}' object cannot be interpreted as a number`);
}

function coroutineArg(m: Machine, v: PyValue | undefined): number {
  if (v?.type !== 'coroutine') return m.fail('TypeError', `a coroutine was expected, got ${v === undefined ? 'None' : m.repr(v)}`);
  return v.ref;
}

/** asyncio.<name>(…). */
export function asyncioFunction(m: Machine, name: string, args: readonly PyValue[], kwargs: Kwargs, resume: number | undefined): PyValue {
  switch (name) {
    case 'run':
      return runMain(m, args, resume);
    case 'create_task': {
      const coro = coroutineArg(m, args[0]);
      loopOf(m);
      const given = kwargs['name'];
      return { type: 'future', ref: newTask(m, coro, undefined, coroName(m, coro), given === undefined || given.type === 'None' ? undefined : m.str(given)) };
    }
    case 'gather': {
      loopOf(m);
      const children = args.map((a) => {
        if (a.type === 'future') return a.ref;
        if (a.type === 'coroutine') return newTask(m, a.ref, undefined, coroName(m, a.ref));
        return m.fail('TypeError', 'An asyncio.Future, a coroutine or an awaitable is required');
      });
      const returnExceptions = kwargs['return_exceptions'] !== undefined && m.truthy(kwargs['return_exceptions']);
      const g = newFuture(m, 'gather', { children, returnExceptions });
      if (children.length === 0) settle(m, g, { state: 'done', result: m.newList([]) });
      for (const c of children) addCallback(m, c, { kind: 'gather', gather: g });
      return { type: 'future', ref: g };
    }
    case 'sleep':
      return opCoroutine(m, 'sleep', { op: 'sleep', delay: numberArg(m, args[0], 'sleep()'), result: args[1] ?? kwargs['result'] ?? NONE });
    case 'start_server': {
      const callback = args[0] ?? kwargs['client_connected_cb'] ?? NONE;
      if (callback.type !== 'function' || callback.fn.async !== true) return m.fail('TypeError', 'start_server() here needs an async def as its client_connected_cb');
      return opCoroutine(m, 'start_server', { op: 'start_server', callback, host: args[1] ?? kwargs['host'] ?? NONE, port: args[2] ?? kwargs['port'] ?? NONE });
    }
    case 'current_task': {
      loopOf(m);
      const t = m.task === undefined ? undefined : taskById(loopOf(m), m.task);
      return t === undefined ? NONE : { type: 'future', ref: t.ref };
    }
    case 'all_tasks':
      return { type: 'set', ref: m.alloc({ kind: 'set', items: loopOf(m).tasks.map((t): PyValue => ({ type: 'future', ref: t.ref })) }) };
    default:
      return m.fail('AttributeError', `module 'asyncio' has no attribute '${name}'`);
  }
}

export const ASYNCIO_FUNCTIONS: readonly string[] = ['run', 'create_task', 'gather', 'sleep', 'start_server', 'current_task', 'all_tasks'];

export const ASYNCIO_TYPES: Readonly<Record<string, string>> = {
  CancelledError: CANCELLED,
  IncompleteReadError: 'asyncio.exceptions.IncompleteReadError',
  LimitOverrunError: 'asyncio.exceptions.LimitOverrunError',
  InvalidStateError: 'asyncio.exceptions.InvalidStateError',
  TimeoutError: 'TimeoutError',
};

function intArg(m: Machine, v: PyValue | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (v.type === 'int') return v.value;
  return m.fail('TypeError', `'${m.typeName(v)}' object cannot be interpreted as an integer`);
}

/** Methods of StreamReader, StreamWriter, Server and Task. */
export function asyncioMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  const ref = (self as { ref: number }).ref;
  switch (`${self.type}.${name}`) {
    case 'reader.readline':
      return opCoroutine(m, 'StreamReader.readline', { op: 'readline', reader: ref, n: -1 });
    case 'reader.readexactly':
      return opCoroutine(m, 'StreamReader.readexactly', { op: 'readexactly', reader: ref, n: intArg(m, args[0] ?? kwargs['n'], -1) });
    case 'reader.read':
      return opCoroutine(m, 'StreamReader.read', { op: 'read', reader: ref, n: intArg(m, args[0] ?? kwargs['n'], -1) });
    case 'reader.at_eof': {
      const r = obj(m, ref, 'reader');
      return bool(r.eof && r.buffer === '');
    }
    case 'writer.write': {
      const data = args[0];
      if (data?.type !== 'bytes') return m.fail('TypeError', `data argument must be a bytes-like object, not '${data === undefined ? 'NoneType' : m.typeName(data)}'`);
      transportWrite(m, obj(m, ref, 'writer').sock, data.value);
      return NONE;
    }
    case 'writer.drain':
      return opCoroutine(m, 'StreamWriter.drain', { op: 'drain', writer: ref });
    case 'writer.close':
      transportClose(m, obj(m, ref, 'writer').sock);
      return NONE;
    case 'writer.is_closing':
      return bool(writerTransport(m, ref).closing);
    case 'writer.wait_closed':
      return opCoroutine(m, 'StreamWriter.wait_closed', { op: 'wait_closed', writer: ref });
    case 'writer.get_extra_info': {
      const tr = writerTransport(m, ref);
      const key = args[0]?.type === 'str' ? args[0].value : '';
      const local = findSocket(m.world.kernel, tr.sock)?.local;
      if (key === 'peername') return tuple(str(tr.peer.host), int(tr.peer.port));
      if (key === 'sockname' && local !== undefined) return tuple(str(local.host), int(local.port));
      return args[1] ?? kwargs['default'] ?? NONE;
    }
    case 'server.serve_forever':
      return opCoroutine(m, 'Server.serve_forever', { op: 'serve_forever', server: ref });
    case 'server.close':
      serverClose(m, ref);
      return NONE;
    case 'server.wait_closed':
      return opCoroutine(m, 'Server.wait_closed', { op: 'value', result: NONE });
    case 'server.is_serving':
      return bool(!obj(m, ref, 'server').closed);
    case 'future.cancel':
      if (obj(m, ref, 'future').role !== 'task') {
        const pending = obj(m, ref, 'future').state === 'pending';
        if (pending) cancelFuture(m, ref);
        return bool(pending);
      }
      return bool(cancelTask(m, ref));
    case 'future.done':
      return bool(obj(m, ref, 'future').state !== 'pending');
    case 'future.cancelled':
      return bool(obj(m, ref, 'future').state === 'cancelled');
    case 'future.result': {
      const f = obj(m, ref, 'future');
      if (f.state === 'pending') return m.fail('asyncio.exceptions.InvalidStateError', 'Result is not set.');
      return outcomeOf(m, ref, undefined);
    }
    case 'future.exception': {
      const f = obj(m, ref, 'future');
      if (f.state === 'pending') return m.fail('asyncio.exceptions.InvalidStateError', 'Exception is not set.');
      if (f.state === 'cancelled') throw new PyError(cancelledError());
      m.setHeap(ref, { ...f, retrieved: true });
      return f.exc ?? NONE;
    }
    case 'future.get_name':
      return str(obj(m, ref, 'future').name);
    default:
      return m.fail('AttributeError', `'${m.typeName(self)}' object has no attribute '${name}'`);
  }
}

/** Attributes that are not methods: server.sockets. */
export function asyncioAttr(m: Machine, self: PyValue, name: string): PyValue | undefined {
  if (self.type === 'server' && name === 'sockets') {
    const s = obj(m, self.ref, 'server');
    return tuple(...(s.closed ? [] : s.socks.map((id): PyValue => ({ type: 'socket', id }))));
  }
  return undefined;
}

