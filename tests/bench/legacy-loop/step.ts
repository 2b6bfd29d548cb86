import { applyInput, peerReaction } from './apply-input.ts';
import type { LoopInput } from './inputs.ts';
import { inputText } from './inputs.ts';
import type { Program } from './program.ts';
import { programById } from './programs.ts';
import { refreshViews } from './refresh-views.ts';
import type { LoopEvent, LoopThread, LoopWorld } from './world.ts';

function finish(program: Program, prev: LoopWorld, next: LoopWorld, event: LoopEvent): LoopWorld {
  return refreshViews({ ...next, step: prev.step + 1, event }, program);
}

/** The network's turn resets the idle count, so the program gets a full turn to react to what arrived. */
function afterNetwork(w: LoopWorld): LoopWorld {
  return w.spin.passes === 0 ? w : { ...w, spin: { ...w.spin, passes: 0 } };
}

/** Every thread is blocked, or a loop that never blocks has spun idle long enough. */
export function isWaitingForNetwork(w: LoopWorld): boolean {
  return w.threads.every((t) => t.blockedOn !== undefined) || w.spin.passes >= w.spinPasses;
}

function nextRunnable(w: LoopWorld): LoopThread | undefined {
  const runnable = w.threads.filter((t) => t.blockedOn === undefined);
  return runnable.find((t) => t.id > w.lastThread) ?? runnable[0];
}

/**
 * The world after one more step, or `w` itself when nothing can happen. A step is one line of one
 * thread, or one network input when no thread can go on without one; threads take turns round-robin,
 * so the same inputs always give the same trace. An injected input is applied at once, as its own step.
 */
export function stepLoop(w: LoopWorld, injected?: LoopInput): LoopWorld {
  const program = programById(w.programId);
  if (injected !== undefined) {
    const r = applyInput(w, injected);
    if (!r.ok) return w;
    return finish(program, w, afterNetwork(r.world), { kind: 'injected', input: injected, explanation: r.explanation });
  }
  if (isWaitingForNetwork(w)) {
    const reaction = peerReaction(w);
    if (reaction?.ok === true) return finish(program, w, afterNetwork(reaction.world), { kind: 'network', explanation: reaction.explanation });
    const input = w.schedule[w.nextInput];
    if (input !== undefined) {
      const r = applyInput(w, input);
      const world = { ...(r.ok ? afterNetwork(r.world) : w), nextInput: w.nextInput + 1 };
      const explanation = r.ok ? r.explanation : `${inputText(input)} cannot happen now (${r.why}), so the scenario skips it.`;
      return finish(program, w, world, { kind: 'network', input, explanation });
    }
  }
  const t = nextRunnable(w);
  if (t === undefined) return w;
  const out = program.exec(w, t);
  if (out.kind === 'blocked') return w;
  return finish(program, w, { ...out.world, lastThread: t.id }, { kind: 'line', thread: t.name, line: t.line, explanation: out.explanation });
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
  return w.nextInput >= w.schedule.length && isWaitingForNetwork(w) && peerReaction(w) === undefined;
}
