import type { CallRecord, Wait } from '../python/frame.ts';
import { MAIN_THREAD, Machine } from '../python/machine.ts';
import type { EventLoop, LoopHandle } from './event-loop.ts';
import { nextTimer, patchTask, taskById, transportOf } from './event-loop.ts';
import { explainLoopStep } from './explain-asyncio.ts';
import { explainStep } from './explain.ts';
import { runHandle, runInternalTask } from './python-asyncio.ts';
import { EVENT_READ, EVENT_WRITE, readyKeys } from './selector.ts';
import type { LoopEvent, LoopThread, LoopWorld } from './world.ts';

/**
 * The event loop's turn, one step at a time, as CPython's BaseEventLoop._run_once() does it:
 * a select() call (timeout 0 when callbacks are ready, else until the earliest timer) whose
 * events and due timers join the ready queue; then each callback that was ready at that point,
 * one per step, in FIFO order. A task's step runs its lines, one per step, until it awaits
 * something that is not ready; callbacks added meanwhile wait for the next iteration.
 */

/** asyncio.run() is inside the loop: the main thread's steps are the loop's. */
export function loopRunning(w: LoopWorld): boolean {
  const loop = w.asyncio;
  return loop !== undefined && (loop.state === 'running' || (loop.state === 'stopping' && loop.ntodo > 0));
}

/** What the thread running the loop waits for: a blocking call in the running task, or select() with nothing to do. */
export function loopWait(w: LoopWorld): Wait | undefined {
  const loop = w.asyncio as EventLoop;
  if (loop.current !== undefined) {
    const r = new Machine(w, MAIN_THREAD, loop.current).run();
    return r.kind === 'blocked' ? r.wait : undefined;
  }
  if (loop.ntodo > 0 || loop.ready.length > 0 || loop.state === 'stopping') return undefined;
  const sel = w.selector;
  if (sel !== undefined && readyKeys(sel, w.kernel).length > 0) return undefined;
  const timer = nextTimer(loop);
  if (timer !== undefined && timer <= w.clock) return undefined;
  const fds = sel?.registry.map((r) => r.fd) ?? [];
  return timer === undefined ? { call: 'select', fds } : { call: 'select', fds, until: timer };
}

export type LoopStep = { readonly world: LoopWorld; readonly event: LoopEvent };

function taskLine(w: LoopWorld, id: number, thread: LoopThread): LoopStep | undefined {
  const r = new Machine(w, MAIN_THREAD, id).run();
  if (r.kind === 'blocked') return undefined;
  const task = taskById(w.asyncio as EventLoop, id);
  const explanation = explainStep(w, r.world, thread, r.line, r.calls, r.note);
  return { world: r.world, event: { kind: 'line', thread: thread.name, task: task?.name, line: r.line, calls: r.calls, explanation } };
}

/** The handles select() adds: the listener's _accept_connection, a transport's _read_ready or _write_ready. */
function eventHandles(w: LoopWorld, loop: EventLoop): LoopHandle[] {
  const sel = w.selector;
  if (sel === undefined) return [];
  const out: LoopHandle[] = [];
  for (const r of readyKeys(sel, w.kernel)) {
    if (r.mask & EVENT_READ) {
      if (loop.listeners.some((l) => l.sock === r.sock)) out.push({ kind: 'accept', fd: r.fd, sock: r.sock });
      else if (transportOf(loop, r.sock) !== undefined) out.push({ kind: 'read', fd: r.fd, sock: r.sock });
    }
    if (r.mask & EVENT_WRITE && transportOf(loop, r.sock) !== undefined) out.push({ kind: 'write', fd: r.fd, sock: r.sock });
  }
  return out;
}

function select(w: LoopWorld, loop: EventLoop): LoopStep {
  const sel = w.selector;
  const ready = sel === undefined ? [] : readyKeys(sel, w.kernel);
  const due = loop.timers.filter((t) => t.when <= w.clock);
  const handles = [...loop.ready, ...eventHandles(w, loop), ...due.map((t) => t.handle)];
  const timeout = loop.ready.length > 0 ? 0 : nextTimer(loop);
  const call: CallRecord = { call: 'select', args: [timeout === undefined ? 'None' : String(Math.max(0, timeout - w.clock) / 1e6)], result: `[${ready.map((r) => `(fd ${r.fd}, ${r.events.join('|')})`).join(', ')}]` };
  const next: EventLoop = { ...loop, ready: handles, ntodo: handles.length, timers: loop.timers.filter((t) => t.when > w.clock), iterations: loop.iterations + 1 };
  const world: LoopWorld = {
    ...w,
    asyncio: next,
    selector: sel === undefined ? sel : { ...sel, lastSelect: ready },
    counters: { ...w.counters, selectCalls: w.counters.selectCalls + 1 },
  };
  return { world, event: { kind: 'loop', thread: 'MainThread', calls: [call], explanation: explainLoopStep(w, { kind: 'select', ready: ready.length, timers: due.length, queued: handles.length }) } };
}

/** One step of the loop, or undefined when it must wait (the running task is blocked in a call). */
export function stepEventLoop(w: LoopWorld, thread: LoopThread): LoopStep | undefined {
  const loop = w.asyncio as EventLoop;
  if (loop.current !== undefined) return taskLine(w, loop.current, thread);
  if (loop.ntodo === 0) return select(w, loop);
  const [h, ...rest] = loop.ready as [LoopHandle, ...LoopHandle[]];
  const popped: LoopWorld = { ...w, asyncio: { ...loop, ready: rest, ntodo: loop.ntodo - 1 } };
  if (h.kind === 'task-step') {
    const t = taskById(loop, h.task);
    if (t === undefined) return { world: popped, event: { kind: 'loop', thread: thread.name, explanation: explainLoopStep(w, { kind: 'handle', handle: h }) } };
    if (t.internal !== undefined) {
      const m = new Machine(popped, MAIN_THREAD);
      runInternalTask(m, t);
      return { world: m.world, event: { kind: 'loop', thread: thread.name, task: t.name, calls: m.calls, explanation: explainLoopStep(w, { kind: 'handle', handle: h }) } };
    }
    const running: LoopWorld = { ...popped, asyncio: patchTask({ ...(popped.asyncio as EventLoop), current: t.id }, t.id, { state: 'running', awaiting: undefined, waitingOn: undefined }) };
    return taskLine(running, t.id, thread) ?? { world: running, event: { kind: 'loop', thread: thread.name, task: t.name, explanation: explainLoopStep(w, { kind: 'handle', handle: h }) } };
  }
  const m = new Machine(popped, MAIN_THREAD);
  runHandle(m, h);
  return { world: m.world, event: { kind: 'loop', thread: thread.name, calls: m.calls, explanation: explainLoopStep(w, { kind: 'handle', handle: h }) } };
}
