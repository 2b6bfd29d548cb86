import type { Kernel } from './kernel.ts';
import { closeSocket } from './kernel.ts';
import type { PyValue, Vars } from './py-value.ts';
import type { Counters, Frame, LoopThread, LoopWorld } from './world.ts';

/**
 * The pieces every program's interpreter is built from: frames, calls, threads,
 * printing, exceptions and the heap. Each takes a world and returns the next one.
 */
export const MODULE = '<module>';
export const MAIN_THREAD = 0;

export type Code = { readonly file: string; readonly source: readonly string[] };

export function top(t: LoopThread): Frame {
  const f = t.frames[t.frames.length - 1];
  if (f === undefined) throw new RangeError(`thread ${t.name} has no frame`);
  return f;
}

function threadOf(w: LoopWorld, tid: number): LoopThread {
  const t = w.threads.find((x) => x.id === tid);
  if (t === undefined) throw new RangeError(`no thread ${tid}`);
  return t;
}

function withFrames(w: LoopWorld, tid: number, frames: readonly Frame[]): LoopWorld {
  const t = threadOf(w, tid);
  const line = frames[frames.length - 1]?.line ?? t.line;
  return { ...w, threads: w.threads.map((x) => (x.id === tid ? { ...x, frames, line } : x)) };
}

function withTop(w: LoopWorld, tid: number, patch: Partial<Frame>): LoopWorld {
  const t = threadOf(w, tid);
  const f = top(t);
  return withFrames(w, tid, [...t.frames.slice(0, -1), { ...f, ...patch }]);
}

export function lookup(w: LoopWorld, tid: number, name: string): PyValue {
  const f = top(threadOf(w, tid));
  const v = f.fn === MODULE ? w.globals[name] : (f.vars[name] ?? w.globals[name]);
  if (v === undefined) throw new ReferenceError(`name '${name}' is not defined in ${f.fn}`);
  return v;
}

/** Binds names in the innermost frame: a function's locals, or the globals at module level. */
function assign(w: LoopWorld, tid: number, vars: Vars): LoopWorld {
  if (Object.keys(vars).length === 0) return w;
  const f = top(threadOf(w, tid));
  if (f.fn === MODULE) return { ...w, globals: { ...w.globals, ...vars } };
  return withTop(w, tid, { vars: { ...f.vars, ...vars } });
}

export function setGlobal(w: LoopWorld, name: string, v: PyValue): LoopWorld {
  return { ...w, globals: { ...w.globals, [name]: v } };
}

export function goTo(w: LoopWorld, tid: number, line: number, vars: Vars = {}): LoopWorld {
  return withTop(assign(w, tid, vars), tid, { line, exiting: false });
}

/** Leaving a with block takes a step on its `with` line, which is where Python 3.10+ reports the __exit__. */
export function leaveWith(w: LoopWorld, tid: number, withLine: number, vars: Vars = {}): LoopWorld {
  return withTop(assign(w, tid, vars), tid, { line: withLine, exiting: true });
}

export function callFunction(w: LoopWorld, tid: number, fn: string, firstLine: number, args: Vars, returnTo: number): LoopWorld {
  const t = threadOf(w, tid);
  return withFrames(w, tid, [...t.frames, { fn, line: firstLine, vars: args, exiting: false, returnTo }]);
}

/** The innermost function returns; a thread's first frame returning ends the thread. */
export function returnFromFunction(w: LoopWorld, tid: number): LoopWorld {
  const t = threadOf(w, tid);
  const f = top(t);
  const rest = t.frames.slice(0, -1);
  const caller = rest[rest.length - 1];
  if (caller === undefined || f.returnTo === undefined) return endThread(w, tid);
  return withFrames(w, tid, [...rest.slice(0, -1), { ...caller, line: f.returnTo, exiting: false }]);
}

/** When the main thread ends the process exits: daemon threads stop and the kernel closes every fd left open. */
export function endThread(w: LoopWorld, tid: number): LoopWorld {
  if (tid !== MAIN_THREAD) return { ...w, threads: w.threads.filter((t) => t.id !== tid) };
  let kernel = w.kernel;
  for (const s of w.kernel.sockets) if (s.fd !== undefined) kernel = closeSocket(kernel, s.id);
  return { ...w, threads: [], kernel, exited: true };
}

export function startThread(w: LoopWorld, fn: string, firstLine: number, args: Vars): { readonly world: LoopWorld; readonly name: string } {
  const n = w.threadsCreated + 1;
  const name = `Thread-${n} (${fn})`;
  const thread: LoopThread = {
    id: n,
    name,
    line: firstLine,
    blockedOn: undefined,
    locals: {},
    stack: [fn],
    frames: [{ fn, line: firstLine, vars: args, exiting: false, returnTo: undefined }],
  };
  return { world: { ...w, threads: [...w.threads, thread], threadsCreated: n }, name };
}

/** print() writes its text and a newline; each line of it becomes one output line. */
export function print(w: LoopWorld, text: string): LoopWorld {
  return { ...w, output: [...w.output, ...text.split('\n')] };
}

/** An uncaught exception: Python prints the traceback and the thread ends (with it the process, for the main thread). */
export function raiseIn(w: LoopWorld, tid: number, code: Code, error: string): LoopWorld {
  const t = threadOf(w, tid);
  const lines = tid === MAIN_THREAD ? [] : [`Exception in thread ${t.name}:`];
  lines.push('Traceback (most recent call last):');
  for (const f of t.frames) {
    lines.push(`  File "${code.file}", line ${f.line}, in ${f.fn}`, `    ${(code.source[f.line - 1] ?? '').trim()}`);
  }
  lines.push(error);
  return endThread({ ...w, output: [...w.output, ...lines] }, tid);
}

export function withKernel(w: LoopWorld, kernel: Kernel): LoopWorld {
  return kernel === w.kernel ? w : { ...w, kernel };
}

export function count(w: LoopWorld, delta: Partial<Counters>): LoopWorld {
  const c = w.counters;
  return {
    ...w,
    counters: {
      wastedTries: c.wastedTries + (delta.wastedTries ?? 0),
      wastedPasses: c.wastedPasses + (delta.wastedPasses ?? 0),
      selectCalls: c.selectCalls + (delta.selectCalls ?? 0),
      bytesIn: c.bytesIn + (delta.bytesIn ?? 0),
      bytesOut: c.bytesOut + (delta.bytesOut ?? 0),
    },
  };
}

/** Something useful happened in this turn of the loop (a connection taken, bytes moved, a socket closed). */
export function progress(w: LoopWorld): LoopWorld {
  return w.spin.progress ? w : { ...w, spin: { ...w.spin, progress: true } };
}

/** The head of an event loop: a turn that did nothing counts as wasted, and enough of them hand the network its turn. */
export function loopTurn(w: LoopWorld): { readonly world: LoopWorld; readonly idle: boolean } {
  const idle = !w.spin.progress;
  const spin = { passes: idle ? w.spin.passes + 1 : 0, progress: false };
  return { world: count({ ...w, spin }, { wastedPasses: idle ? 1 : 0 }), idle };
}

export function newNamespace(w: LoopWorld, fields: Vars): { readonly world: LoopWorld; readonly value: PyValue } {
  const ref = w.nextRef;
  return { world: { ...w, heap: { ...w.heap, [ref]: fields }, nextRef: ref + 1 }, value: { type: 'namespace', ref } };
}

export function nsField(w: LoopWorld, ns: PyValue, name: string): PyValue {
  if (ns.type !== 'namespace') throw new TypeError(`'${ns.type}' object has no attribute '${name}'`);
  const v = w.heap[ns.ref]?.[name];
  if (v === undefined) throw new ReferenceError(`namespace has no attribute '${name}'`);
  return v;
}

export function setNsField(w: LoopWorld, ns: PyValue, name: string, v: PyValue): LoopWorld {
  if (ns.type !== 'namespace') throw new TypeError(`'${ns.type}' object has no attribute '${name}'`);
  return { ...w, heap: { ...w.heap, [ns.ref]: { ...w.heap[ns.ref], [name]: v } } };
}

/** A name that may not be bound yet, such as the interpreter's own `$` bookkeeping. */
export function peek(w: LoopWorld, tid: number, name: string): PyValue | undefined {
  const f = top(threadOf(w, tid));
  return f.fn === MODULE ? w.globals[name] : f.vars[name];
}
