import { MAIN_THREAD, Machine } from '../python/machine.ts';
import { loopRunning, stepEventLoop } from './asyncio-step.ts';
import { applyInput, peerReaction } from './apply-input.ts';
import { explainStep } from './explain.ts';
import type { LoopInput } from './inputs.ts';
import { inputText } from './inputs.ts';
import { refreshViews } from './refresh-views.ts';
import type { LoopEvent, LoopThread, LoopWorld } from './world.ts';
import { afterStep } from './uring.ts';

function finish(prev: LoopWorld, next: LoopWorld, event: LoopEvent): LoopWorld {
  return refreshViews(afterStep(prev, { ...next, step: prev.step + 1, event }));
}

/** The network's turn resets the idle count, so the program gets a full turn to react to what arrived. */
function afterNetwork(w: LoopWorld): LoopWorld {
  return w.spin.passes === 0 ? w : { ...w, spin: { ...w.spin, passes: 0 } };
}

/** Every thread is blocked, or a loop that never blocks has spun idle long enough. */
export function isWaitingForNetwork(w: LoopWorld): boolean {
  return w.threads.every((t) => t.wait !== undefined) || w.spin.passes >= w.spinPasses;
}

function nextRunnable(w: LoopWorld): LoopThread | undefined {
  const runnable = w.threads.filter((t) => t.wait === undefined);
  return runnable.find((t) => t.id > w.lastThread) ?? runnable[0];
}

/** The earliest time a sleeping thread wakes, when every thread waits. */
function nextWakeUp(w: LoopWorld): number | undefined {
  if (!w.threads.every((t) => t.wait !== undefined)) return undefined;
  const times = w.threads.flatMap((t) => (t.wait !== undefined && 'until' in t.wait && t.wait.until !== undefined ? [t.wait.until] : []));
  return times.length === 0 ? undefined : Math.min(...times);
}

/**
 * The world after one more step, or `w` itself when nothing can happen. A step is one line of one
 * thread, or one network input when no thread can go on without one; threads take turns round-robin,
 * so the same inputs always give the same trace. An injected input is applied at once, as its own step.
 */
export function stepLoop(w: LoopWorld, injected?: LoopInput): LoopWorld {
  if (injected !== undefined) {
    const r = applyInput(w, injected);
    if (!r.ok) return w;
    return finish(w, afterNetwork(r.world), { kind: 'injected', input: injected, explanation: r.explanation });
  }
  if (isWaitingForNetwork(w)) {
    const reaction = peerReaction(w);
    if (reaction?.ok === true) return finish(w, afterNetwork(reaction.world), { kind: 'network', explanation: reaction.explanation });
    const input = w.schedule[w.nextInput];
    if (input !== undefined) {
      const r = applyInput(w, input);
      const world = { ...(r.ok ? afterNetwork(r.world) : w), nextInput: w.nextInput + 1 };
      const explanation = r.ok ? r.explanation : `${inputText(input)} cannot happen now (${r.why}), so the scenario skips it.`;
      return finish(w, world, { kind: 'network', input, explanation });
    }
    const wake = nextWakeUp(w);
    if (wake !== undefined) {
      const due = w.threads.find((t) => t.wait !== undefined && 'until' in t.wait && t.wait.until === wake)?.wait;
      const who =
        due?.call === 'sleep'
          ? 'a sleeping thread wakes up'
          : due !== undefined && due.call !== 'select' && 'fd' in due
            ? `the timeout of ${due.call}() on fd ${due.fd} runs out`
            : 'the event loop’s earliest timer is due';
      return finish(w, { ...w, clock: wake }, { kind: 'clock', explanation: `Time passes: ${((wake - w.clock) / 1e6).toFixed(3)} s later ${who}.` });
    }
  }
  const t = nextRunnable(w);
  if (t === undefined) return w;
  if (t.id === MAIN_THREAD && loopRunning(w)) {
    const s = stepEventLoop(w, t);
    return s === undefined ? w : finish(w, { ...s.world, lastThread: t.id }, s.event);
  }
  const r = new Machine(w, t.id).run();
  if (r.kind === 'blocked') return w;
  const explanation = explainStep(w, r.world, t, r.line, r.calls, r.note);
  return finish(w, { ...r.world, lastThread: t.id }, { kind: 'line', thread: t.name, line: r.line, calls: r.calls, explanation });
}

/** The world and up to `maxSteps` worlds after it; stops early when nothing more can happen. */
export function runLoop(w: LoopWorld, maxSteps: number): LoopWorld[] {
  const out = [w];
  let cur = w;
  for (let i = 0; i < maxSteps; i++) {
    const next = stepLoop(cur);
    if (next === cur) break;
    out.push(next);
    cur = next;
  }
  return out;
}

/** Every scheduled input has been applied and the program has nothing left to do but wait or spin. */
export function isSettled(w: LoopWorld): boolean {
  return w.nextInput >= w.schedule.length && isWaitingForNetwork(w) && peerReaction(w) === undefined && nextWakeUp(w) === undefined;
}
