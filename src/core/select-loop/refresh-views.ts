import { MAIN_THREAD, Machine } from '../python/machine.ts';
import { loopRunning, loopWait } from './asyncio-step.ts';
import type { AsyncTask, EventLoop } from './event-loop.ts';
import type { Wait } from '../python/frame.ts';
import { repr } from './py-value.ts';
import type { PyValue } from './py-value.ts';
import type { Selector } from './selector.ts';
import { reprContext } from './show.ts';
import type { LoopThread, LoopWorld } from './world.ts';

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameWait(a: Wait | undefined, b: Wait | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

/** Names a learner reads as program state: not modules, functions, classes or dunder names. */
function shown(name: string, v: PyValue): boolean {
  return !name.startsWith('__') && !['module', 'function', 'class', 'builtin', 'type', 'opaque'].includes(v.type);
}

/** What the thread's next action waits for: the interpreter tries it and keeps only the answer. */
export function waitOf(w: LoopWorld, t: LoopThread): Wait | undefined {
  if (t.id === MAIN_THREAD && loopRunning(w)) return loopWait(w);
  const r = new Machine(w, t.id).run();
  return r.kind === 'blocked' ? r.wait : undefined;
}

function localsOf(w: LoopWorld, vars: Readonly<Record<string, PyValue>>): Record<string, string> {
  const ctx = reprContext(w);
  const locals: Record<string, string> = {};
  for (const [name, v] of Object.entries(vars)) if (shown(name, v)) locals[name] = repr(v, ctx);
  return locals;
}

function threadView(w: LoopWorld, t: LoopThread): LoopThread {
  const wait = waitOf(w, t);
  const f = t.frames[t.frames.length - 1];
  const locals = localsOf(w, f === undefined || f.code === undefined ? w.globals : f.vars);
  const stack = t.frames.map((x) => x.fn);
  const line = f?.line ?? t.line;
  if (sameWait(t.wait, wait) && t.line === line && sameRecord(t.locals, locals) && sameList(t.stack, stack)) return t;
  return { ...t, line, wait: sameWait(t.wait, wait) ? t.wait : wait, locals: sameRecord(t.locals, locals) ? t.locals : locals, stack: sameList(t.stack, stack) ? t.stack : stack };
}

function selectorView(w: LoopWorld, sel: Selector): Selector {
  const ctx = reprContext(w);
  let changed = false;
  const registry = sel.registry.map((r) => {
    const o = r.data.type === 'namespace' ? ctx.heap(r.data.ref) : undefined;
    const fields = o?.kind === 'namespace' ? o.fields : undefined;
    const dataView = fields === undefined ? undefined : Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, repr(v, ctx)]));
    const same = dataView === undefined ? r.dataView === undefined : r.dataView !== undefined && sameRecord(r.dataView, dataView);
    if (same) return r;
    changed = true;
    return { ...r, dataView };
  });
  return changed ? { ...sel, registry } : sel;
}

function taskView(w: LoopWorld, t: AsyncTask): AsyncTask {
  const f = t.frames[t.frames.length - 1];
  if (f === undefined) return t;
  const locals = localsOf(w, f.vars);
  return sameRecord(t.locals, locals) ? t : { ...t, locals };
}

function loopView(w: LoopWorld, loop: EventLoop): EventLoop {
  const tasks = loop.tasks.map((t) => taskView(w, t));
  return tasks.every((t, i) => t === loop.tasks[i]) ? loop : { ...loop, tasks };
}

/**
 * Recomputes what the learner sees of each thread and of the selector's data after a step.
 * Unchanged pieces keep their old objects, so a long history shares almost everything.
 */
export function refreshViews(w: LoopWorld): LoopWorld {
  const threads = w.threads.map((t) => threadView(w, t));
  const selector = w.selector === undefined ? undefined : selectorView(w, w.selector);
  const asyncio = w.asyncio === undefined ? undefined : loopView(w, w.asyncio);
  const threadsSame = threads.every((t, i) => t === w.threads[i]);
  if (threadsSame && selector === w.selector && asyncio === w.asyncio) return w;
  return { ...w, threads: threadsSame ? w.threads : threads, selector, asyncio };
}
