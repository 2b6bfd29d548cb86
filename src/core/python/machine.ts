import type { Arg, CmpOp, CompClause, Expr, FunctionCode, Module, Stmt } from './ast.ts';
import type { Block, CallRecord, Completion, Frame, ForStmt, IterState, Memo, TracebackEntry, Wait, WhileStmt } from './frame.ts';
import type { Heap } from './heap.ts';
import { heapAdd, heapGet, heapSet } from './heap.ts';
import type { HeapObj, PyValue, ReprContext, Vars } from '../select-loop/py-value.ts';
import { NONE, bool, bytes, float, int, repr, str, truthy, tuple, typeName } from '../select-loop/py-value.ts';
import { builtinSubclass, exc, isExceptionClass } from './exceptions.ts';
import type { LoopThread, LoopWorld } from '../select-loop/world.ts';
import { reprContext } from '../select-loop/show.ts';
import { closeSocket } from '../select-loop/kernel.ts';
import { callBuiltin, getBuiltinAttr, BUILTIN_NAMES, exitContext, enterContext } from './builtins.ts';
import { formatValue, pyStr, pyEquals, compareValues, binaryOp, iterate, containsValue } from './values.ts';
import type { TaskWait } from '../select-loop/event-loop.ts';
import { awaitValue, coroutineDone, endTask, enterAsyncContext, makeCoroutine, suspended, withTaskFrames } from '../select-loop/python-asyncio.ts';

/** Thrown inside a line: the thread must wait, and nothing the line did so far happens. */
export class Blocked {
  readonly wait: Wait;
  constructor(wait: Wait) {
    this.wait = wait;
  }
}

/** Thrown inside a line: a Python exception. */
export class PyError {
  readonly exc: PyValue;
  /** Where a re-raised exception had got to already; a new one starts at the current line. */
  readonly tb: readonly TracebackEntry[] | undefined;
  constructor(e: PyValue, tb?: readonly TracebackEntry[]) {
    this.exc = e;
    this.tb = tb;
  }
}

/** The line called a Python function: its frame is pushed and the step ends there. */
class Suspended {}

/** A call made progress but is not finished (sendall with a full buffer): keep what it did, run the line again later. */
export class PartialCall {
  readonly state: number;
  constructor(state: number) {
    this.state = state;
  }
}

export const MODULE = '<module>';

export type StepResult =
  | { readonly kind: 'blocked'; readonly wait: Wait }
  | { readonly kind: 'ran'; readonly world: LoopWorld; readonly calls: readonly CallRecord[]; readonly line: number; readonly note: StepNote };

/** What the line did, beyond its calls: a branch taken, a loop's next item, a name bound. */
export type StepNote =
  | { readonly kind: 'test'; readonly value: boolean }
  | { readonly kind: 'assign'; readonly names: readonly (readonly [string, string])[] }
  | { readonly kind: 'loop-item'; readonly names: readonly (readonly [string, string])[] }
  | { readonly kind: 'loop-done' }
  | { readonly kind: 'call'; readonly fn: string }
  | { readonly kind: 'return'; readonly value: string }
  | { readonly kind: 'raise'; readonly type: string; readonly caught: boolean }
  | { readonly kind: 'with-exit' }
  | { readonly kind: 'except'; readonly matched: boolean }
  | { readonly kind: 'def'; readonly name: string }
  | { readonly kind: 'other' };

function seq(stmts: readonly Stmt[]): Block {
  return { kind: 'seq', stmts, index: 0 };
}

/** A `try:` takes no step: entering blocks goes straight through to the first statement inside. */
export function descend(blocks: readonly Block[]): Block[] {
  const out = [...blocks];
  for (;;) {
    const b = out[out.length - 1];
    if (b?.kind !== 'seq') return out;
    const s = b.stmts[b.index];
    if (s?.k !== 'try') return out;
    out[out.length - 1] = { ...b, index: b.index + 1 };
    out.push({ kind: 'try', stmt: s, phase: 'body', handler: 0, exc: undefined, tb: [], pending: undefined });
    out.push(seq(s.body));
  }
}

/** The line a frame's next action is on. */
export function actionLine(blocks: readonly Block[], fallback: number): number {
  const b = blocks[blocks.length - 1];
  if (b === undefined) return fallback;
  switch (b.kind) {
    case 'seq':
      return b.stmts[b.index]?.line ?? fallback;
    case 'loop':
      return b.stmt.line;
    case 'with':
      return b.stmt.line;
    case 'try':
      return b.stmt.handlers[b.handler]?.line ?? fallback;
  }
}

export function newFrame(fn: string, code: FunctionCode | undefined, body: readonly Stmt[], vars: Vars, callIndex: number, ctor: PyValue | undefined, coro?: number): Frame {
  const blocks = descend([seq(body)]);
  const frame: Frame = { fn, code, vars, blocks, line: actionLine(blocks, code?.line ?? 1), memo: [], callIndex, ctor, pending: undefined };
  return coro === undefined ? frame : { ...frame, coro };
}

type Scope = Map<string, PyValue>;

/**
 * Runs one action of one thread against a world: the machine holds the world and the thread's
 * frames while the line runs and hands back the next world, or the wait that stopped it. With a
 * task, the frames are that asyncio task's, run by the thread that runs the event loop.
 */
export class Machine {
  world: LoopWorld;
  readonly tid: number;
  readonly task: number | undefined;
  frames: Frame[];
  readonly module: Module;
  calls: CallRecord[] = [];
  note: StepNote = { kind: 'other' };
  private memo: Memo[] = [];
  private callIndex = 0;
  private scopes: Scope[] = [];
  private threadEnded = false;

  constructor(world: LoopWorld, tid: number, task?: number) {
    this.world = world;
    this.tid = tid;
    this.task = task;
    this.module = world.program.module;
    const t = task === undefined ? undefined : world.asyncio?.tasks.find((x) => x.id === task);
    if (task !== undefined && t === undefined) throw new RangeError(`no task ${task}`);
    this.frames = [...(t === undefined ? this.thread().frames : t.frames)];
  }

  thread(): LoopThread {
    const t = this.world.threads.find((x) => x.id === this.tid);
    if (t === undefined) throw new RangeError(`no thread ${this.tid}`);
    return t;
  }

  threadName(): string {
    return this.world.threads.find((x) => x.id === this.tid)?.name ?? '?';
  }

  top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private setTop(patch: Partial<Frame>): void {
    this.frames[this.frames.length - 1] = { ...this.top(), ...patch };
  }

  private blocks(): Block[] {
    return [...this.top().blocks];
  }

  /**
   * Moves the frame on. Every call of an action is made before its frame moves on, so the results
   * it kept for a re-run (after a callee returned, or a wait) are done with here, and only here.
   */
  private setBlocks(blocks: readonly Block[]): void {
    this.setTop({ blocks, line: actionLine(blocks, this.top().line), memo: [] });
  }

  // ---- heap -------------------------------------------------------------------------------

  heap(ref: number): HeapObj {
    return heapGet(this.world.heap as Heap<HeapObj>, ref);
  }

  setHeap(ref: number, o: HeapObj): void {
    this.world = { ...this.world, heap: heapSet(this.world.heap, ref, o) };
  }

  alloc(o: HeapObj): number {
    const r = heapAdd(this.world.heap, o);
    this.world = { ...this.world, heap: r.heap };
    return r.ref;
  }

  newList(items: readonly PyValue[]): PyValue {
    return { type: 'list', ref: this.alloc({ kind: 'list', items }) };
  }

  ctx(): ReprContext {
    return reprContext(this.world);
  }

  repr(v: PyValue): string {
    return repr(v, this.ctx());
  }

  str(v: PyValue): string {
    return pyStr(v, this);
  }

  typeName(v: PyValue): string {
    return typeName(v, this.ctx());
  }

  truthy(v: PyValue): boolean {
    return truthy(v, (ref) => this.heap(ref));
  }

  record(c: CallRecord): void {
    this.calls.push(c);
  }

  fail(name: string, message: string): never {
    throw new PyError(exc(name, str(message)));
  }

  // ---- one step -------------------------------------------------------------------------

  /** Runs the thread's next action. */
  run(): StepResult {
    const line = this.top().line;
    try {
      this.action();
    } catch (e) {
      if (e instanceof Blocked) return { kind: 'blocked', wait: e.wait };
      throw e;
    }
    return { kind: 'ran', world: this.commit(), calls: this.calls, line, note: this.note };
  }

  private commit(): LoopWorld {
    if (this.threadEnded) return this.world;
    const frames = this.frames;
    const stack = frames.map((f) => f.fn);
    if (this.task !== undefined) return withTaskFrames(this.world, this.task, frames);
    return {
      ...this.world,
      threads: this.world.threads.map((t) => (t.id === this.tid ? { ...t, frames, line: this.top().line, stack } : t)),
    };
  }

  /** An asyncio task awaits something not ready: keep what the line did so far, and end the step. */
  suspendTask(wait: TaskWait | undefined, future: number | undefined): never {
    if (this.task === undefined) throw new RangeError('only a task can suspend');
    this.setTop({ memo: [...this.memo] });
    this.world = suspended(this.world, this.task, wait, future);
    throw new Suspended();
  }

  /** `await` on an async def's coroutine: its frame runs from the next step, and its return value finishes this line. */
  enterCoroutine(ref: number, code: FunctionCode, vars: Vars, idx: number): never {
    if (this.frames.length >= MAX_DEPTH) this.fail('RecursionError', 'maximum recursion depth exceeded');
    this.setTop({ memo: [...this.memo] });
    this.frames.push(newFrame(code.name, code, code.body, vars, idx, undefined, ref));
    this.note = { kind: 'call', fn: code.name };
    throw new Suspended();
  }

  /** Runs the current action with protection: a Python exception unwinds, a call into Python suspends. */
  private action(): void {
    const f = this.top();
    this.memo = [...f.memo];
    this.callIndex = 0;
    this.scopes = [];
    try {
      this.dispatch();
    } catch (e) {
      if (e instanceof Suspended) return;
      if (e instanceof PartialCall) {
        const memo = [...this.memo];
        memo[this.callIndex - 1] = { kind: 'partial', state: e.state };
        this.setTop({ memo });
        return;
      }
      if (e instanceof Error) {
        // A case the simulation does not model must not take the page down: the program sees it as an exception.
        this.setTop({ memo: [] });
        this.unwind({ kind: 'raise', exc: exc('SystemError', str(`the simulation cannot run this: ${e.message}`)), tb: [this.tbEntry(this.top())] });
        return;
      }
      if (e instanceof PyError) {
        this.setTop({ memo: [] });
        this.note = { kind: 'raise', type: this.excName(e.exc), caught: false };
        const handling = this.currentException();
        const exc =
          e.exc.type === 'exception' && handling !== undefined && handling.exc !== e.exc && e.exc.context === undefined ? { ...e.exc, context: handling } : e.exc;
        this.unwind({ kind: 'raise', exc, tb: e.tb ?? [this.tbEntry(this.top())] });
        return;
      }
      throw e;
    }
  }

  private tbEntry(f: Frame): TracebackEntry {
    return { file: this.module.file, line: f.line, fn: f.fn };
  }

  private dispatch(): void {
    const b = this.top().blocks[this.top().blocks.length - 1];
    if (b === undefined) throw new RangeError('a frame with no blocks');
    switch (b.kind) {
      case 'seq':
        this.exec(b.stmts[b.index] as Stmt);
        return;
      case 'loop':
        this.header(b);
        return;
      case 'with':
        this.withExit(b);
        return;
      case 'try':
        this.handlerTest(b);
        return;
    }
  }

  /** Moves past the statement just run and on to the next action. */
  private advance(): void {
    const blocks = this.blocks();
    const b = blocks[blocks.length - 1];
    if (b?.kind === 'seq') blocks[blocks.length - 1] = { ...b, index: b.index + 1 };
    this.setBlocks(blocks);
    this.normalize();
  }

  private push(...more: Block[]): void {
    this.setBlocks(descend([...this.top().blocks, ...more]));
  }

  /** Follows the steps that take no line of their own: leaving a finished block, entering else/finally, falling off a function's end. */
  private normalize(): void {
    for (;;) {
      const blocks = descend(this.top().blocks);
      const b = blocks[blocks.length - 1];
      if (b === undefined) {
        this.setBlocks(blocks);
        this.finishFrame({ kind: 'return', value: NONE });
        return;
      }
      if (b.kind !== 'seq' || b.index < b.stmts.length) {
        this.setBlocks(blocks);
        return;
      }
      blocks.pop();
      const parent = blocks[blocks.length - 1];
      if (parent === undefined) {
        this.setBlocks(blocks);
        continue;
      }
      if (parent.kind === 'loop') blocks[blocks.length - 1] = { ...parent, atHeader: true };
      else if (parent.kind === 'with') blocks[blocks.length - 1] = { ...parent, exiting: true };
      else if (parent.kind === 'try') {
        const t = parent.stmt;
        if (parent.phase === 'body' && t.orelse.length > 0) {
          blocks[blocks.length - 1] = { ...parent, phase: 'else' };
          blocks.push(seq(t.orelse));
        } else if (parent.phase !== 'finally' && t.finalbody.length > 0) {
          blocks[blocks.length - 1] = { ...parent, phase: 'finally', exc: undefined, pending: undefined };
          blocks.push(seq(t.finalbody));
        } else {
          blocks.pop();
          if (parent.phase === 'finally' && parent.pending !== undefined) {
            this.setBlocks(blocks);
            this.unwind(parent.pending);
            return;
          }
        }
      }
      this.setBlocks(blocks);
    }
  }

  /** Leaves blocks for a return, break, continue or exception until something takes it. */
  private unwind(c: Completion): void {
    for (;;) {
      const blocks = this.blocks();
      const b = blocks[blocks.length - 1];
      if (b === undefined) {
        this.finishFrame(c);
        return;
      }
      if (b.kind === 'seq') {
        blocks.pop();
        this.setBlocks(blocks);
        continue;
      }
      if (b.kind === 'loop') {
        if (c.kind === 'break') {
          blocks.pop();
          this.setBlocks(blocks);
          this.normalize();
          return;
        }
        if (c.kind === 'continue') {
          blocks[blocks.length - 1] = { ...b, atHeader: true };
          this.setBlocks(blocks);
          return;
        }
        blocks.pop();
        this.setBlocks(blocks);
        continue;
      }
      if (b.kind === 'with') {
        if (c.kind === 'raise') {
          blocks.pop();
          this.setBlocks(blocks);
          exitContext(this, b.ctx);
          continue;
        }
        blocks[blocks.length - 1] = { ...b, exiting: true };
        this.setBlocks(blocks);
        this.setTop({ pending: c });
        return;
      }
      const t = b.stmt;
      if (b.phase === 'body' && c.kind === 'raise' && t.handlers.length > 0) {
        blocks[blocks.length - 1] = { ...b, phase: 'handler', handler: 0, exc: c.exc, tb: c.tb };
        this.setBlocks(blocks);
        return;
      }
      if (b.phase !== 'finally' && t.finalbody.length > 0) {
        blocks[blocks.length - 1] = { ...b, phase: 'finally', exc: undefined, pending: c };
        blocks.push(seq(t.finalbody));
        this.setBlocks(descend(blocks));
        this.normalize();
        return;
      }
      blocks.pop();
      this.setBlocks(blocks);
    }
  }

  /** A frame is done: hand its value to the caller and finish the caller's line, or pass its exception up. */
  private finishFrame(c: Completion): void {
    const done = this.top();
    if (c.kind === 'break' || c.kind === 'continue') throw new RangeError(`${c.kind} outside a loop`);
    if (done.coro !== undefined) coroutineDone(this, done.coro);
    if (this.frames.length === 1 && this.task !== undefined) {
      this.world = endTask(this, this.task, c.kind === 'raise' ? c : { kind: 'return', value: c.value });
      this.threadEnded = true;
      return;
    }
    if (this.frames.length === 1) {
      this.endThread(c.kind === 'raise' ? c : undefined);
      return;
    }
    this.frames.pop();
    const caller = this.top();
    if (c.kind === 'raise') {
      const tb = [this.tbEntry(caller), ...c.tb];
      this.setTop({ memo: [] });
      this.unwind({ kind: 'raise', exc: c.exc, tb });
      return;
    }
    const value = done.ctor ?? c.value;
    const memo = [...caller.memo];
    memo[done.callIndex] = { kind: 'value', value };
    this.setTop({ memo });
    const savedWorld = this.world;
    const savedFrames = [...this.frames];
    const savedCalls = this.calls.length;
    try {
      this.action();
    } catch (e) {
      if (!(e instanceof Blocked)) throw e;
      // The rest of the caller's line must wait; the return itself has happened.
      this.world = savedWorld;
      this.frames = savedFrames;
      this.calls.length = savedCalls;
    }
  }

  private endThread(c: Extract<Completion, { kind: 'raise' }> | undefined): void {
    if (c !== undefined) this.world = uncaught(this.world, this.tid, c, (v) => this.excName(v), (v) => this.excText(v));
    this.world = endThread(this.world, this.tid);
    this.threadEnded = true;
  }

  excName(e: PyValue): string {
    if (e.type !== 'exception') return this.typeName(e);
    if (e.cls.type === 'type') return e.cls.name;
    if (e.cls.type === 'class') {
      const c = this.heap(e.cls.ref);
      return c.kind === 'class' ? c.name : 'Exception';
    }
    return 'Exception';
  }

  /** str(exception): its one argument, or the tuple of them. */
  excText(e: PyValue): string {
    if (e.type !== 'exception') return this.str(e);
    if (e.errno !== undefined && e.args.length === 2) return `[Errno ${e.errno}] ${this.str(e.args[1] as PyValue)}`;
    if (e.args.length === 0) return '';
    if (e.args.length === 1) {
      const a = e.args[0] as PyValue;
      return this.excName(e) === 'KeyError' ? this.repr(a) : this.str(a);
    }
    return this.repr(tuple(...e.args));
  }

  // ---- statements -------------------------------------------------------------------------

  private exec(s: Stmt): void {
    switch (s.k) {
      case 'expr':
        this.eval(s.e);
        break;
      case 'assign': {
        const v = this.eval(s.value);
        for (const t of s.targets) this.assign(t, v);
        this.note = { kind: 'assign', names: this.boundNames(s.targets) };
        break;
      }
      case 'aug': {
        const cur = this.eval(s.target);
        const v = this.eval(s.value);
        const next = s.op === '+' && cur.type === 'list' ? this.extendList(cur, v) : binaryOp(this, s.op, cur, v);
        this.assign(s.target, next);
        this.note = { kind: 'assign', names: this.boundNames([s.target]) };
        break;
      }
      case 'pass':
      case 'global':
        break;
      case 'break':
      case 'continue':
        this.unwind({ kind: s.k });
        return;
      case 'return': {
        const v = s.value === undefined ? NONE : this.eval(s.value);
        this.note = { kind: 'return', value: this.repr(v) };
        this.unwind({ kind: 'return', value: v });
        return;
      }
      case 'raise':
        this.raiseStmt(s.exc, s.cause);
      // raiseStmt never returns: the statement ends in an exception.
      case 'import':
        for (const n of s.names) {
          const mod = this.importModule(n.module);
          this.store(n.as, n.as === n.module ? mod : mod);
        }
        break;
      case 'from': {
        const mod = this.importModule(s.module);
        for (const n of s.names) this.store(n.as, this.getAttr(mod, n.name));
        break;
      }
      case 'if': {
        const test = this.truthy(this.eval(s.test));
        this.note = { kind: 'test', value: test };
        const blocks = this.blocks();
        const b = blocks[blocks.length - 1] as Extract<Block, { kind: 'seq' }>;
        blocks[blocks.length - 1] = { ...b, index: b.index + 1 };
        const branch = test ? s.body : s.orelse;
        if (branch.length > 0) blocks.push(seq(branch));
        this.setBlocks(descend(blocks));
        this.normalize();
        return;
      }
      case 'while':
      case 'for': {
        const blocks = this.blocks();
        const b = blocks[blocks.length - 1] as Extract<Block, { kind: 'seq' }>;
        const iter: IterState | undefined = s.k === 'for' ? { over: this.iterSource(this.eval(s.iter)), index: 0 } : undefined;
        blocks[blocks.length - 1] = { ...b, index: b.index + 1 };
        const loop: Block = { kind: 'loop', stmt: s, atHeader: true, iter };
        blocks.push(loop);
        this.setBlocks(blocks);
        this.header(loop);
        return;
      }
      case 'with': {
        const ctx = this.eval(s.ctx);
        const value = s.async === true ? enterAsyncContext(this, ctx) : enterContext(this, ctx);
        if (s.as !== undefined) this.assign(s.as, value);
        const blocks = this.blocks();
        const b = blocks[blocks.length - 1] as Extract<Block, { kind: 'seq' }>;
        blocks[blocks.length - 1] = { ...b, index: b.index + 1 };
        this.setBlocks(blocks);
        this.push({ kind: 'with', stmt: s, ctx, exiting: false }, seq(s.body));
        this.normalize();
        return;
      }
      case 'try':
        throw new RangeError('try is entered by descend()');
      case 'def':
        this.store(s.fn.name, this.makeFunction(s.fn));
        this.note = { kind: 'def', name: s.fn.name };
        break;
      case 'class':
        this.defineClass(s);
        break;
      case 'del':
        for (const t of s.targets) this.deleteTarget(t);
        break;
      case 'assert':
        if (!this.truthy(this.eval(s.test))) throw new PyError(s.msg === undefined ? exc('AssertionError') : exc('AssertionError', this.eval(s.msg)));
        break;
    }
    this.advance();
  }

  private boundNames(targets: readonly Expr[]): (readonly [string, string])[] {
    const out: [string, string][] = [];
    const walk = (t: Expr) => {
      if (t.k === 'name') out.push([t.id, this.repr(this.lookup(t.id))]);
      else if (t.k === 'tuple' || t.k === 'list') t.items.forEach(walk);
      else if (t.k === 'attr') out.push([`${exprText(t.obj)}.${t.name}`, this.repr(this.eval(t))]);
    };
    const saved = this.callIndex;
    targets.forEach(walk);
    this.callIndex = saved;
    return out;
  }

  private extendList(l: PyValue, v: PyValue): PyValue {
    if (l.type !== 'list') return l;
    const o = this.heap(l.ref);
    if (o.kind !== 'list') return l;
    this.setHeap(l.ref, { kind: 'list', items: [...o.items, ...iterate(this, v)] });
    return l;
  }

  /** The exception an except block is handling, and where it had been raised. */
  private currentException(): { readonly exc: PyValue; readonly tb: readonly TracebackEntry[] } | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const blocks = (this.frames[i] as Frame).blocks;
      for (let j = blocks.length - 1; j >= 0; j--) {
        const b = blocks[j] as Block;
        if (b.kind === 'try' && b.phase === 'except' && b.exc !== undefined) return { exc: b.exc, tb: b.tb };
      }
    }
    return undefined;
  }

  private raiseStmt(e: Expr | undefined, cause: Expr | undefined): never {
    if (e === undefined) {
      const cur = this.currentException();
      if (cur === undefined) this.fail('RuntimeError', 'No active exception to reraise');
      throw new PyError(cur.exc, cur.tb);
    }
    const instance = (x: PyValue): PyValue => {
      if (x.type === 'type' && isExceptionClass(x.name)) return exc(x.name);
      if (x.type === 'class') return this.call(x, [], {});
      return x;
    };
    const v = instance(this.eval(e));
    if (v.type !== 'exception') this.fail('TypeError', 'exceptions must derive from BaseException');
    if (cause === undefined) throw new PyError(v);
    const c = this.eval(cause);
    const from = c.type === 'None' ? null : instance(c);
    if (from !== null && from.type !== 'exception') this.fail('TypeError', 'exception causes must derive from BaseException');
    throw new PyError({ ...v, cause: from });
  }

  private header(b: Extract<Block, { kind: 'loop' }>): void {
    const blocks = this.blocks();
    const s = b.stmt;
    if (s.k === 'while') {
      this.world = loopTurn(this.world);
      const test = this.truthy(this.eval(s.test));
      this.note = { kind: 'test', value: test };
      if (test) {
        blocks[blocks.length - 1] = { ...b, atHeader: false };
        this.setBlocks(blocks);
        this.push(seq(s.body));
        this.normalize();
        return;
      }
      this.leaveLoop(blocks, s);
      return;
    }
    const it = b.iter as IterState;
    const next = this.nextItem(it);
    if (next === undefined) {
      this.note = { kind: 'loop-done' };
      this.leaveLoop(blocks, s);
      return;
    }
    blocks[blocks.length - 1] = { ...b, atHeader: false, iter: { ...it, index: it.index + 1 } };
    this.setBlocks(blocks);
    this.assign(s.target, next);
    this.note = { kind: 'loop-item', names: this.boundNames([s.target]) };
    this.push(seq(s.body));
    this.normalize();
  }

  private leaveLoop(blocks: Block[], s: WhileStmt | ForStmt): void {
    blocks.pop();
    if (s.orelse.length > 0) blocks.push(seq(s.orelse));
    this.setBlocks(descend(blocks));
    this.normalize();
  }

  private iterSource(v: PyValue): PyValue {
    if (v.type === 'list' || v.type === 'tuple' || v.type === 'iter' || v.type === 'range') return v;
    return { type: 'iter', items: iterate(this, v) };
  }

  private nextItem(it: IterState): PyValue | undefined {
    const v = it.over;
    if (v.type === 'range') {
      const n = v.start + it.index * v.step;
      return (v.step > 0 ? n < v.stop : n > v.stop) ? int(n) : undefined;
    }
    if (v.type === 'list') {
      const o = this.heap(v.ref);
      return o.kind === 'list' ? o.items[it.index] : undefined;
    }
    if (v.type === 'tuple' || v.type === 'iter') return v.items[it.index];
    return undefined;
  }

  private withExit(b: Extract<Block, { kind: 'with' }>): void {
    const blocks = this.blocks();
    blocks.pop();
    this.setBlocks(blocks);
    exitContext(this, b.ctx);
    this.note = { kind: 'with-exit' };
    const pending = this.top().pending;
    if (pending !== undefined) {
      this.setTop({ pending: undefined });
      this.unwind(pending);
      return;
    }
    this.normalize();
  }

  private handlerTest(b: Extract<Block, { kind: 'try' }>): void {
    const h = b.stmt.handlers[b.handler];
    const e = b.exc as PyValue;
    if (h === undefined) throw new RangeError('no except clause to test');
    const matched = h.type === undefined || this.matches(e, this.eval(h.type));
    this.note = { kind: 'except', matched };
    const blocks = this.blocks();
    if (matched) {
      blocks[blocks.length - 1] = { ...b, phase: 'except' };
      this.setBlocks(blocks);
      if (h.name !== undefined) this.store(h.name, e);
      this.push(seq(h.body));
      this.normalize();
      return;
    }
    if (b.handler + 1 < b.stmt.handlers.length) {
      blocks[blocks.length - 1] = { ...b, handler: b.handler + 1 };
      this.setBlocks(blocks);
      return;
    }
    blocks[blocks.length - 1] = { ...b, phase: 'except' };
    this.setBlocks(blocks);
    this.unwind({ kind: 'raise', exc: e, tb: b.tb });
  }

  /** isinstance for exceptions: against a class or a tuple of them. */
  matches(e: PyValue, cls: PyValue): boolean {
    if (cls.type === 'tuple') return cls.items.some((c) => this.matches(e, c));
    if (e.type !== 'exception') return false;
    return this.isSubclass(e.cls, cls);
  }

  isSubclass(c: PyValue, base: PyValue): boolean {
    if (c.type === 'type' && base.type === 'type') return builtinSubclass(c.name, base.name) || c.name === base.name;
    if (c.type === 'class') {
      if (base.type === 'class' && base.ref === c.ref) return true;
      const o = this.heap(c.ref);
      return o.kind === 'class' && o.bases.some((x) => this.isSubclass(x, base));
    }
    return false;
  }

  // ---- names and targets ----------------------------------------------------------------

  private frameIsModule(): boolean {
    return this.top().code === undefined;
  }

  lookup(name: string): PyValue {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = (this.scopes[i] as Scope).get(name);
      if (v !== undefined) return v;
    }
    const f = this.top();
    if (f.code !== undefined && f.code.locals.has(name)) {
      const v = f.vars[name];
      if (v === undefined) this.fail('UnboundLocalError', `cannot access local variable '${name}' where it is not associated with a value`);
      return v;
    }
    const g = this.world.globals[name];
    if (g !== undefined) return g;
    if (BUILTIN_NAMES.has(name)) return isExceptionClass(name) || TYPE_NAMES.has(name) ? { type: 'type', name } : { type: 'builtin', name };
    this.fail('NameError', `name '${name}' is not defined`);
  }

  store(name: string, v: PyValue): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope !== undefined) {
      scope.set(name, v);
      return;
    }
    const f = this.top();
    if (f.code !== undefined && f.code.locals.has(name)) {
      this.setTop({ vars: { ...f.vars, [name]: v } });
      return;
    }
    this.world = { ...this.world, globals: { ...this.world.globals, [name]: v } };
  }

  private unbind(name: string): void {
    const f = this.top();
    if (!this.frameIsModule() && f.code?.locals.has(name) === true) {
      const { [name]: _gone, ...rest } = f.vars;
      this.setTop({ vars: rest });
      return;
    }
    if (this.world.globals[name] === undefined) this.fail('NameError', `name '${name}' is not defined`);
    const { [name]: _gone, ...rest } = this.world.globals;
    this.world = { ...this.world, globals: rest };
  }

  assign(t: Expr, v: PyValue): void {
    switch (t.k) {
      case 'name':
        this.store(t.id, v);
        return;
      case 'tuple':
      case 'list': {
        const items = iterate(this, v);
        if (items.length !== t.items.length) {
          if (items.length > t.items.length) this.fail('ValueError', `too many values to unpack (expected ${t.items.length})`);
          this.fail('ValueError', `not enough values to unpack (expected ${t.items.length}, got ${items.length})`);
        }
        t.items.forEach((x, i) => this.assign(x, items[i] as PyValue));
        return;
      }
      case 'attr':
        this.setAttr(this.eval(t.obj), t.name, v);
        return;
      case 'index':
        this.setItem(this.eval(t.obj), this.eval(t.index), v);
        return;
      default:
        this.fail('SyntaxError', 'cannot assign to expression');
    }
  }

  private deleteTarget(t: Expr): void {
    if (t.k === 'name') this.unbind(t.id);
    else if (t.k === 'index') {
      const obj = this.eval(t.obj);
      const key = this.eval(t.index);
      if (obj.type === 'dict') {
        const o = this.heap(obj.ref);
        if (o.kind !== 'dict') return;
        const i = o.keys.findIndex((k) => pyEquals(this, k, key));
        if (i < 0) throw new PyError(exc('KeyError', key));
        this.setHeap(obj.ref, { kind: 'dict', keys: o.keys.filter((_, j) => j !== i), values: o.values.filter((_, j) => j !== i) });
      } else if (obj.type === 'list') {
        const o = this.heap(obj.ref);
        if (o.kind !== 'list') return;
        const i = this.index(key, o.items.length, 'list');
        this.setHeap(obj.ref, { kind: 'list', items: o.items.filter((_, j) => j !== i) });
      } else this.fail('TypeError', `'${this.typeName(obj)}' object doesn't support item deletion`);
    } else if (t.k === 'tuple' || t.k === 'list') t.items.forEach((x) => this.deleteTarget(x));
    else this.fail('TypeError', 'cannot delete this');
  }

  index(key: PyValue, length: number, what: string): number {
    if (key.type !== 'int' && key.type !== 'bool') this.fail('TypeError', `${what} indices must be integers or slices, not ${this.typeName(key)}`);
    const n = key.type === 'bool' ? Number(key.value) : key.value;
    const i = n < 0 ? n + length : n;
    if (i < 0 || i >= length) this.fail('IndexError', `${what} index out of range`);
    return i;
  }

  setItem(obj: PyValue, key: PyValue, v: PyValue): void {
    if (obj.type === 'list') {
      const o = this.heap(obj.ref);
      if (o.kind !== 'list') return;
      const i = this.index(key, o.items.length, 'list assignment');
      const items = [...o.items];
      items[i] = v;
      this.setHeap(obj.ref, { kind: 'list', items });
      return;
    }
    if (obj.type === 'dict') {
      const o = this.heap(obj.ref);
      if (o.kind !== 'dict') return;
      this.hashable(key);
      const i = o.keys.findIndex((k) => pyEquals(this, k, key));
      if (i >= 0) {
        const values = [...o.values];
        values[i] = v;
        this.setHeap(obj.ref, { ...o, values });
      } else this.setHeap(obj.ref, { kind: 'dict', keys: [...o.keys, key], values: [...o.values, v] });
      return;
    }
    this.fail('TypeError', `'${this.typeName(obj)}' object does not support item assignment`);
  }

  hashable(v: PyValue): void {
    if (v.type === 'list' || v.type === 'dict' || v.type === 'set') this.fail('TypeError', `unhashable type: '${v.type}'`);
  }

  setAttr(obj: PyValue, name: string, v: PyValue): void {
    if (obj.type === 'namespace' || obj.type === 'instance') {
      const o = this.heap(obj.ref);
      if (o.kind === 'namespace') this.setHeap(obj.ref, { kind: 'namespace', fields: { ...o.fields, [name]: v } });
      else if (o.kind === 'instance') this.setHeap(obj.ref, { ...o, fields: { ...o.fields, [name]: v } });
      return;
    }
    if (obj.type === 'thread' && name === 'daemon') {
      const o = this.heap(obj.ref);
      if (o.kind === 'thread') this.setHeap(obj.ref, { ...o, daemon: this.truthy(v) });
      return;
    }
    if (obj.type === 'class') {
      const o = this.heap(obj.ref);
      if (o.kind === 'class') this.setHeap(obj.ref, { ...o, attrs: { ...o.attrs, [name]: v } });
      return;
    }
    this.fail('AttributeError', `'${this.typeName(obj)}' object attribute '${name}' is read-only`);
  }

  getAttr(obj: PyValue, name: string): PyValue {
    if (obj.type === 'namespace') {
      const o = this.heap(obj.ref);
      const v = o.kind === 'namespace' ? o.fields[name] : undefined;
      if (v !== undefined) return v;
      this.fail('AttributeError', `'types.SimpleNamespace' object has no attribute '${name}'`);
    }
    if (obj.type === 'instance') {
      const o = this.heap(obj.ref);
      if (o.kind === 'instance') {
        const v = o.fields[name];
        if (v !== undefined) return v;
        const m = this.classAttr(o.cls, name);
        if (m !== undefined) return m.type === 'function' ? { type: 'method', fn: m, self: obj } : m;
        this.fail('AttributeError', `'${this.typeName(obj)}' object has no attribute '${name}'`);
      }
    }
    if (obj.type === 'class') {
      const v = this.classAttr(obj, name);
      if (v !== undefined) return v;
      const o = this.heap(obj.ref);
      this.fail('AttributeError', `type object '${o.kind === 'class' ? o.name : '?'}' has no attribute '${name}'`);
    }
    if (obj.type === 'exception' && name === 'args') return tuple(...obj.args);
    if (obj.type === 'exception' && obj.attrs?.[name] !== undefined) return obj.attrs[name];
    if (obj.type === 'exception' && name === 'errno') return obj.errno === undefined ? NONE : int(obj.errno);
    if (obj.type === 'exception' && name === 'strerror') return obj.errno === undefined ? NONE : (obj.args[1] ?? NONE);
    return getBuiltinAttr(this, obj, name);
  }

  private classAttr(cls: PyValue, name: string): PyValue | undefined {
    if (cls.type !== 'class') return undefined;
    const o = this.heap(cls.ref);
    if (o.kind !== 'class') return undefined;
    const own = o.attrs[name];
    if (own !== undefined) return own;
    for (const b of o.bases) {
      const v = this.classAttr(b, name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private importModule(name: string): PyValue {
    if (!MODULES.has(name)) this.fail('ModuleNotFoundError', `No module named '${name}'`);
    return { type: 'module', name };
  }

  private makeFunction(fn: FunctionCode): PyValue {
    const defaults: Record<string, PyValue> = {};
    for (const p of fn.params) if (p.default !== undefined) defaults[p.name] = this.eval(p.default);
    return { type: 'function', fn, defaults };
  }

  private defineClass(s: Extract<Stmt, { k: 'class' }>): void {
    const bases = s.bases.map((b) => this.eval(b));
    const attrs: Record<string, PyValue> = {};
    for (const x of s.body) {
      if (x.k === 'def') attrs[x.fn.name] = this.makeFunction(x.fn);
      else if (x.k === 'assign' && x.targets.length === 1 && x.targets[0]?.k === 'name') attrs[x.targets[0].id] = this.eval(x.value);
      else if (x.k !== 'pass' && !(x.k === 'expr' && x.e.k === 'const')) this.fail('SyntaxError', 'a class body here may hold only def, assignments to names, pass and a docstring');
    }
    const ref = this.alloc({ kind: 'class', name: s.name, bases, attrs });
    this.store(s.name, { type: 'class', ref });
  }

  // ---- expressions ------------------------------------------------------------------------

  eval(e: Expr): PyValue {
    switch (e.k) {
      case 'const':
        return e.value;
      case 'name':
        return this.lookup(e.id);
      case 'fstring': {
        let out = '';
        for (const p of e.parts) {
          if (typeof p === 'string') out += p;
          else {
            const v = this.eval(p.expr);
            const shown = p.conv === 'r' ? str(this.repr(v)) : p.conv === 's' ? str(this.str(v)) : v;
            out += formatValue(this, shown, p.spec);
          }
        }
        return str(out);
      }
      case 'tuple':
        return tuple(...e.items.map((i) => this.eval(i)));
      case 'list':
        return this.newList(e.items.map((i) => this.eval(i)));
      case 'set': {
        const items: PyValue[] = [];
        for (const i of e.items) {
          const v = this.eval(i);
          this.hashable(v);
          if (!items.some((x) => pyEquals(this, x, v))) items.push(v);
        }
        return { type: 'set', ref: this.alloc({ kind: 'set', items }) };
      }
      case 'dict': {
        const d: PyValue = { type: 'dict', ref: this.alloc({ kind: 'dict', keys: [], values: [] }) };
        for (const [k, v] of e.entries) this.setItem(d, this.eval(k), this.eval(v));
        return d;
      }
      case 'attr':
        return this.getAttr(this.eval(e.obj), e.name);
      case 'index':
        return this.getItem(this.eval(e.obj), this.eval(e.index));
      case 'slice':
        return this.slice(e);
      case 'call':
        return this.evalCall(e.fn, e.args);
      case 'bin':
        return binaryOp(this, e.op, this.eval(e.l), this.eval(e.r));
      case 'cmp':
        return this.compare(e.op, this.eval(e.l), this.eval(e.r));
      case 'bool': {
        const l = this.eval(e.l);
        if (e.op === 'and') return this.truthy(l) ? this.eval(e.r) : l;
        return this.truthy(l) ? l : this.eval(e.r);
      }
      case 'unary': {
        const v = this.eval(e.e);
        if (e.op === 'not') return bool(!this.truthy(v));
        if (v.type === 'bool' || v.type === 'int') {
          const n = v.type === 'bool' ? Number(v.value) : v.value;
          return int(e.op === '-' ? -n : e.op === '~' ? ~n : n);
        }
        if (v.type === 'float' && e.op !== '~') return float(e.op === '-' ? -v.value : v.value);
        this.fail('TypeError', `bad operand type for unary ${e.op}: '${this.typeName(v)}'`);
      }
      case 'cond':
        return this.truthy(this.eval(e.test)) ? this.eval(e.body) : this.eval(e.orelse);
      case 'comp':
        return this.comprehension(e);
      case 'lambda':
        return this.makeFunction(e.fn);
      case 'await': {
        const v = this.eval(e.e);
        const idx = this.callIndex++;
        const m = this.memo[idx];
        if (m?.kind === 'value') return m.value;
        const result = awaitValue(this, v, idx);
        this.memo[idx] = { kind: 'value', value: result };
        return result;
      }
    }
  }

  getItem(obj: PyValue, key: PyValue): PyValue {
    switch (obj.type) {
      case 'list': {
        const o = this.heap(obj.ref);
        return o.kind === 'list' ? (o.items[this.index(key, o.items.length, 'list')] as PyValue) : NONE;
      }
      case 'tuple':
        return obj.items[this.index(key, obj.items.length, 'tuple')] as PyValue;
      case 'str':
        return str(obj.value[this.index(key, obj.value.length, 'string')] as string);
      case 'bytes':
        return int(obj.value.charCodeAt(this.index(key, obj.value.length, 'index')));
      case 'range': {
        const len = Math.max(0, Math.ceil((obj.stop - obj.start) / obj.step));
        return int(obj.start + this.index(key, len, 'range object') * obj.step);
      }
      case 'dict': {
        const o = this.heap(obj.ref);
        if (o.kind !== 'dict') return NONE;
        this.hashable(key);
        const i = o.keys.findIndex((k) => pyEquals(this, k, key));
        if (i < 0) throw new PyError(exc('KeyError', key));
        return o.values[i] as PyValue;
      }
      default:
        this.fail('TypeError', `'${this.typeName(obj)}' object is not subscriptable`);
    }
  }

  private slice(e: Extract<Expr, { k: 'slice' }>): PyValue {
    const obj = this.eval(e.obj);
    const num = (x: Expr | undefined): number | undefined => {
      if (x === undefined) return undefined;
      const v = this.eval(x);
      if (v.type === 'None') return undefined;
      if (v.type !== 'int') this.fail('TypeError', 'slice indices must be integers or None or have an __index__ method');
      return v.value;
    };
    const lo = num(e.lo);
    const hi = num(e.hi);
    const step = num(e.step) ?? 1;
    if (step === 0) this.fail('ValueError', 'slice step cannot be zero');
    const pick = <T>(xs: readonly T[]): T[] => {
      const n = xs.length;
      const clamp = (v: number | undefined, dflt: number, lowest: number, highest: number) => {
        if (v === undefined) return dflt;
        const a = v < 0 ? v + n : v;
        return Math.min(Math.max(a, lowest), highest);
      };
      const out: T[] = [];
      if (step > 0) {
        const a = clamp(lo, 0, 0, n);
        const b = clamp(hi, n, 0, n);
        for (let i = a; i < b; i += step) out.push(xs[i] as T);
      } else {
        const a = clamp(lo, n - 1, -1, n - 1);
        const b = clamp(hi, -1, -1, n - 1);
        for (let i = a; i > b; i += step) out.push(xs[i] as T);
      }
      return out;
    };
    switch (obj.type) {
      case 'str':
        return str(pick([...obj.value]).join(''));
      case 'bytes':
        return bytes(pick([...obj.value]).join(''));
      case 'tuple':
        return tuple(...pick(obj.items));
      case 'list': {
        const o = this.heap(obj.ref);
        return this.newList(o.kind === 'list' ? pick(o.items) : []);
      }
      default:
        this.fail('TypeError', `'${this.typeName(obj)}' object is not subscriptable`);
    }
  }

  private compare(op: CmpOp, l: PyValue, r: PyValue): PyValue {
    switch (op) {
      case '==':
        return bool(pyEquals(this, l, r));
      case '!=':
        return bool(!pyEquals(this, l, r));
      case 'is':
        return bool(identical(l, r));
      case 'is not':
        return bool(!identical(l, r));
      case 'in':
        return bool(containsValue(this, r, l));
      case 'not in':
        return bool(!containsValue(this, r, l));
      default:
        return bool(compareValues(this, op, l, r));
    }
  }

  private comprehension(e: Extract<Expr, { k: 'comp' }>): PyValue {
    const out: PyValue[] = [];
    const values: PyValue[] = [];
    const scope: Scope = new Map();
    const run = (clauses: readonly CompClause[], depth: number): void => {
      const c = clauses[depth];
      if (c === undefined) {
        out.push(this.eval(e.elt));
        if (e.value !== undefined) values.push(this.eval(e.value));
        return;
      }
      // The first iterable is evaluated outside the comprehension's scope, as in Python.
      const source = depth === 0 ? this.withoutScope(scope, () => this.eval(c.iter)) : this.eval(c.iter);
      for (const item of iterate(this, source)) {
        this.assign(c.target, item);
        if (c.ifs.every((x) => this.truthy(this.eval(x)))) run(clauses, depth + 1);
      }
    };
    this.scopes.push(scope);
    try {
      run(e.clauses, 0);
    } finally {
      this.scopes.pop();
    }
    switch (e.kind) {
      case 'list':
        return this.newList(out);
      case 'gen':
        return { type: 'iter', items: out };
      case 'set': {
        const items: PyValue[] = [];
        for (const v of out) if (!items.some((x) => pyEquals(this, x, v))) items.push(v);
        return { type: 'set', ref: this.alloc({ kind: 'set', items }) };
      }
      case 'dict': {
        const d: PyValue = { type: 'dict', ref: this.alloc({ kind: 'dict', keys: [], values: [] }) };
        out.forEach((k, i) => this.setItem(d, k, values[i] as PyValue));
        return d;
      }
    }
  }

  private withoutScope<T>(scope: Scope, work: () => T): T {
    const at = this.scopes.indexOf(scope);
    const saved = this.scopes;
    this.scopes = this.scopes.slice(0, at);
    try {
      return work();
    } finally {
      this.scopes = saved;
    }
  }

  private evalCall(fnExpr: Expr, argExprs: readonly Arg[]): PyValue {
    const fn = this.eval(fnExpr);
    const args: PyValue[] = [];
    const kwargs: Record<string, PyValue> = {};
    for (const a of argExprs) {
      const v = this.eval(a.value);
      if (a.star) args.push(...iterate(this, v));
      else if (a.name !== undefined) kwargs[a.name] = v;
      else args.push(v);
    }
    return this.call(fn, args, kwargs);
  }

  /** Every call a line makes goes through here, so a re-run line gets the same results without repeating them. */
  call(fn: PyValue, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
    const idx = this.callIndex++;
    const m = this.memo[idx];
    if (m?.kind === 'value') return m.value;
    const resume = m?.kind === 'partial' ? m.state : undefined;
    const v = this.invoke(fn, args, kwargs, idx, resume);
    this.memo[idx] = { kind: 'value', value: v };
    return v;
  }

  private invoke(fn: PyValue, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>, idx: number, resume: number | undefined): PyValue {
    switch (fn.type) {
      case 'function':
        if (fn.fn.expr !== undefined) return this.callLambda(fn, args, kwargs);
        if (fn.fn.async === true) return makeCoroutine(this, fn, this.bindArgs(fn, args, kwargs));
        this.enter(fn, args, kwargs, idx, undefined);
        throw new Suspended();
      case 'method':
        return this.invoke(fn.fn, [fn.self, ...args], kwargs, idx, resume);
      case 'class': {
        const inst: PyValue = { type: 'instance', ref: this.alloc({ kind: 'instance', cls: fn, fields: {} }) };
        const o = this.heap(fn.ref);
        if (o.kind === 'class' && o.bases.some((b) => this.isSubclass(b, { type: 'type', name: 'BaseException' }))) {
          return { type: 'exception', cls: fn, args };
        }
        const init = this.classAttr(fn, '__init__');
        if (init === undefined || init.type !== 'function') {
          if (args.length > 0) this.fail('TypeError', `${o.kind === 'class' ? o.name : '?'}() takes no arguments`);
          return inst;
        }
        this.enter(init, [inst, ...args], kwargs, idx, inst);
        throw new Suspended();
      }
      case 'builtin':
      case 'type':
        return callBuiltin(this, fn, args, kwargs, resume);
      default:
        this.fail('TypeError', `'${this.typeName(fn)}' object is not callable`);
    }
  }

  bindArgs(fn: Extract<PyValue, { type: 'function' }>, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): Record<string, PyValue> {
    const code = fn.fn;
    const vars: Record<string, PyValue> = {};
    const positional = code.params.filter((p) => !p.kwOnly);
    if (args.length > positional.length) {
      this.fail('TypeError', `${code.name}() takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
    }
    args.forEach((a, i) => {
      vars[(positional[i] as { name: string }).name] = a;
    });
    for (const [k, v] of Object.entries(kwargs)) {
      if (!code.params.some((p) => p.name === k)) this.fail('TypeError', `${code.name}() got an unexpected keyword argument '${k}'`);
      if (vars[k] !== undefined) this.fail('TypeError', `${code.name}() got multiple values for argument '${k}'`);
      vars[k] = v;
    }
    const missing: string[] = [];
    for (const p of code.params) {
      if (vars[p.name] !== undefined) continue;
      const d = fn.defaults[p.name];
      if (d !== undefined) vars[p.name] = d;
      else missing.push(p.name);
    }
    if (missing.length > 0) {
      const names = missing.map((n) => `'${n}'`);
      const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
      this.fail('TypeError', `${code.name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
    }
    return vars;
  }

  private enter(fn: Extract<PyValue, { type: 'function' }>, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>, idx: number, ctor: PyValue | undefined): void {
    const vars = this.bindArgs(fn, args, kwargs);
    if (this.frames.length >= MAX_DEPTH) this.fail('RecursionError', 'maximum recursion depth exceeded');
    this.setTop({ memo: [...this.memo] });
    this.frames.push(newFrame(fn.fn.name, fn.fn, fn.fn.body, vars, idx, ctor));
    this.note = { kind: 'call', fn: fn.fn.name };
  }

  private callLambda(fn: Extract<PyValue, { type: 'function' }>, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
    const vars = this.bindArgs(fn, args, kwargs);
    const scope: Scope = new Map(Object.entries(vars));
    this.scopes.push(scope);
    try {
      return this.eval(fn.fn.expr as Expr);
    } finally {
      this.scopes.pop();
    }
  }

  /** A new interpreter thread running `target(*args)`; its name follows CPython's Thread-N (target). */
  startThread(target: PyValue, args: readonly PyValue[], name: string): number {
    if (target.type !== 'function') this.fail('TypeError', `'${this.typeName(target)}' object is not callable`);
    const vars = this.bindArgs(target, args, {});
    const id = Math.max(...this.world.threads.map((t) => t.id), this.tid) + 1;
    const frame = newFrame(target.fn.name, target.fn, target.fn.body, vars, 0, undefined);
    const thread: LoopThread = { id, name, line: frame.line, wait: undefined, locals: {}, stack: [frame.fn], frames: [frame] };
    this.world = { ...this.world, threads: [...this.world.threads, thread] };
    return id;
  }
}

const MAX_DEPTH = 200;

const TYPE_NAMES = new Set(['int', 'str', 'bytes', 'bool', 'float', 'list', 'tuple', 'dict', 'set', 'bytearray', 'object', 'type']);

export const MODULES: ReadonlySet<string> = new Set(['socket', 'selectors', 'types', 'threading', 'sys', 'time', 'struct', 'errno', 'asyncio', 'uring']);

function identical(a: PyValue, b: PyValue): boolean {
  if (a.type !== b.type) return false;
  if ('ref' in a && 'ref' in b) return a.ref === b.ref;
  if (a.type === 'socket' && b.type === 'socket') return a.id === b.id;
  if (a.type === 'None' || a.type === 'selector') return true;
  if ((a.type === 'int' || a.type === 'bool' || a.type === 'str') && (b.type === 'int' || b.type === 'bool' || b.type === 'str')) return a.value === b.value;
  if (a.type === 'type' && b.type === 'type') return a.name === b.name;
  if (a.type === 'module' && b.type === 'module') return a.name === b.name;
  return a === b;
}

function exprText(e: Expr): string {
  switch (e.k) {
    case 'name':
      return e.id;
    case 'attr':
      return `${exprText(e.obj)}.${e.name}`;
    default:
      return '…';
  }
}

/** An uncaught exception: CPython prints its traceback on stderr and the thread ends. */
function uncaught(
  w: LoopWorld,
  tid: number,
  c: Extract<Completion, { kind: 'raise' }>,
  name: (v: PyValue) => string,
  text: (v: PyValue) => string,
): LoopWorld {
  const thread = w.threads.find((x) => x.id === tid)?.name ?? '?';
  return reportException(w, thread, tid === MAIN_THREAD ? [] : [`Exception in thread ${thread}:`], c, name, text);
}

/** Writes an exception's traceback to stderr after `header` (CPython's own first lines), and keeps it as data. */
export function reportException(
  w: LoopWorld,
  thread: string,
  header: readonly string[],
  c: Extract<Completion, { kind: 'raise' }>,
  name: (v: PyValue) => string,
  text: (v: PyValue) => string,
): LoopWorld {
  const type = name(c.exc);
  const message = text(c.exc);
  const code = (e: TracebackEntry) => ({ ...e, code: (w.program.module.lines[e.line - 1] ?? '').trim() });
  const entries = c.tb.map(code);
  const render = (e: PyValue, tb: readonly TracebackEntry[]): string[] => {
    const out: string[] = [];
    if (e.type === 'exception' && e.cause !== undefined && e.cause !== null) {
      out.push(...render(e.cause, []), '', 'The above exception was the direct cause of the following exception:', '');
    } else if (e.type === 'exception' && e.context !== undefined && e.cause !== null) {
      out.push(...render(e.context.exc, e.context.tb), '', 'During handling of the above exception, another exception occurred:', '');
    }
    if (tb.length > 0) out.push('Traceback (most recent call last):');
    for (const x of tb.map(code)) out.push(`  File "${x.file}", line ${x.line}, in ${x.fn}`, `    ${x.code}`);
    const m = text(e);
    out.push(m === '' ? name(e) : `${name(e)}: ${m}`);
    return out;
  };
  const lines = [...header, ...render(c.exc, c.tb)];
  const tb = { thread, entries, type, message, text: lines };
  return { ...w, output: [...w.output, ...lines], tracebacks: [...w.tracebacks, tb] };
}

export const MAIN_THREAD = 0;

/** When the main thread ends the process exits (daemon threads stop; CPython waits for the others first), and the kernel closes every fd left open. */
export function endThread(w: LoopWorld, tid: number): LoopWorld {
  const rest = w.threads.filter((t) => t.id !== tid);
  const mainGone = !rest.some((t) => t.id === MAIN_THREAD);
  const threads = rest.map((t) => t);
  const liveNonDaemon = threads.some((t) => !isDaemon(w, t.id));
  const done = markThreadDone(w, tid);
  if (!mainGone || liveNonDaemon) return { ...done, threads };
  return exitProcess({ ...done, threads: [] });
}

function isDaemon(w: LoopWorld, tid: number): boolean {
  for (let r = 0; r < w.heap.size; r++) {
    const o = heapGet(w.heap, r);
    if (o.kind === 'thread' && o.tid === tid) return o.daemon;
  }
  return false;
}

function markThreadDone(w: LoopWorld, tid: number): LoopWorld {
  for (let r = 0; r < w.heap.size; r++) {
    const o = heapGet(w.heap, r);
    if (o.kind === 'thread' && o.tid === tid) return { ...w, heap: heapSet(w.heap, r, { ...o, done: true }) };
  }
  return w;
}

function exitProcess(w: LoopWorld): LoopWorld {
  let kernel = w.kernel;
  for (const s of w.kernel.sockets) if (s.fd !== undefined) kernel = closeSocket(kernel, s.id);
  const selector = w.selector === undefined ? undefined : { ...w.selector, registry: [], closed: true };
  return { ...w, kernel: { ...kernel, otherFds: [] }, selector, exited: true };
}

/**
 * The head of a while loop: a turn that polled the network (a BlockingIOError, a select()) and
 * moved nothing counts as wasted, and enough of them hand the network its turn. A loop that only
 * computes is not waiting for the network, so it runs on until it ends or the step cap stops it.
 */
function loopTurn(w: LoopWorld): LoopWorld {
  const idle = !w.spin.progress && w.spin.polled;
  const spin = { passes: idle ? w.spin.passes + 1 : 0, progress: false, polled: false };
  return { ...w, spin, counters: idle ? { ...w.counters, wastedPasses: w.counters.wastedPasses + 1 } : w.counters };
}

