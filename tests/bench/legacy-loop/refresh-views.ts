import { MODULE, top } from './interpreter.ts';
import type { Program } from './program.ts';
import { repr } from './py-value.ts';
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

function threadView(w: LoopWorld, t: LoopThread, program: Program): LoopThread {
  const outcome = program.exec(w, t);
  const blockedOn = outcome.kind === 'blocked' ? outcome.on : undefined;
  const f = top(t);
  const vars = f.fn === MODULE ? w.globals : f.vars;
  const ctx = reprContext(w);
  const locals: Record<string, string> = {};
  for (const [name, v] of Object.entries(vars)) {
    if (!name.startsWith('$') && v.type !== 'opaque') locals[name] = repr(v, ctx);
  }
  const stack = t.frames.map((x) => x.fn);
  if (t.blockedOn === blockedOn && t.line === f.line && sameRecord(t.locals, locals) && sameList(t.stack, stack)) return t;
  return { ...t, line: f.line, blockedOn, locals: sameRecord(t.locals, locals) ? t.locals : locals, stack: sameList(t.stack, stack) ? t.stack : stack };
}

function selectorView(w: LoopWorld, sel: Selector): Selector {
  const ctx = reprContext(w);
  let changed = false;
  const registry = sel.registry.map((r) => {
    const fields = r.data.type === 'namespace' ? w.heap[r.data.ref] : undefined;
    const dataView = fields === undefined ? undefined : Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, repr(v, ctx)]));
    const same = dataView === undefined ? r.dataView === undefined : r.dataView !== undefined && sameRecord(r.dataView, dataView);
    if (same) return r;
    changed = true;
    return { ...r, dataView };
  });
  return changed ? { ...sel, registry } : sel;
}

/**
 * Recomputes what the learner sees of each thread and of the selector's data after a step.
 * Unchanged pieces keep their old objects, so a long history shares almost everything.
 */
export function refreshViews(w: LoopWorld, program: Program): LoopWorld {
  const threads = w.threads.map((t) => threadView(w, t, program));
  const selector = w.selector === undefined ? undefined : selectorView(w, w.selector);
  const threadsSame = threads.every((t, i) => t === w.threads[i]);
  if (threadsSame && selector === w.selector) return w;
  return { ...w, threads: threadsSame ? w.threads : threads, selector };
}
