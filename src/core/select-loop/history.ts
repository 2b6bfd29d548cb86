import type { LoopInput } from './inputs.ts';
import { stepLoop } from './step.ts';
import type { LoopWorld } from './world.ts';

/**
 * Every world reached, in order. Worlds are immutable and share what a step did not change,
 * so keeping all of them is cheap and back, forward and jump are one array index away.
 */
export type LoopHistory = { readonly worlds: readonly LoopWorld[]; readonly cursor: number };

export function createLoopHistory(initial: LoopWorld): LoopHistory {
  return { worlds: [initial], cursor: 0 };
}

export function loopHistoryOf(worlds: readonly LoopWorld[]): LoopHistory {
  if (worlds.length === 0) throw new RangeError('a history needs at least one world');
  return { worlds, cursor: 0 };
}

export function currentLoop(h: LoopHistory): LoopWorld {
  const w = h.worlds[h.cursor];
  if (w === undefined) throw new RangeError(`cursor ${h.cursor} outside the history`);
  return w;
}

/** One step on: replays a recorded step, or computes a new one at the end. */
export function forwardLoop(h: LoopHistory): LoopHistory {
  if (h.cursor < h.worlds.length - 1) return { ...h, cursor: h.cursor + 1 };
  const cur = currentLoop(h);
  const next = stepLoop(cur);
  return next === cur ? h : { worlds: [...h.worlds, next], cursor: h.cursor + 1 };
}

export function backLoop(h: LoopHistory): LoopHistory {
  return h.cursor === 0 ? h : { ...h, cursor: h.cursor - 1 };
}

/** Moves to step k, computing steps not reached yet; stops early if the run ends first. */
export function jumpLoop(h: LoopHistory, k: number): LoopHistory {
  const target = Math.max(0, Math.floor(k));
  if (target < h.worlds.length) return { ...h, cursor: target };
  const worlds = [...h.worlds];
  let last = worlds[worlds.length - 1] as LoopWorld;
  while (worlds.length <= target) {
    const next = stepLoop(last);
    if (next === last) break;
    worlds.push(next);
    last = next;
  }
  return { worlds, cursor: worlds.length - 1 };
}

/** A learner's input at the cursor forks the run: the recorded future after it is dropped. */
export function injectLoop(h: LoopHistory, input: LoopInput): LoopHistory {
  const cur = currentLoop(h);
  const next = stepLoop(cur, input);
  if (next === cur) return h;
  return { worlds: [...h.worlds.slice(0, h.cursor + 1), next], cursor: h.cursor + 1 };
}
