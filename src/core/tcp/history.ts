import type { World, WorldAction } from './simulation.ts';
import { step } from './simulation.ts';

/**
 * Every world ever reached, in order. Worlds are immutable and share whatever
 * a step did not change, so keeping all of them is cheap and any step is one
 * array index away: back, forward and jump are exact by construction.
 */
export type History = { readonly worlds: readonly World[]; readonly cursor: number };

export function createHistory(initial: World): History {
  return { worlds: [initial], cursor: 0 };
}

export function historyOf(worlds: readonly World[]): History {
  if (worlds.length === 0) throw new RangeError('a history needs at least one world');
  return { worlds, cursor: 0 };
}

export function current(h: History): World {
  const w = h.worlds[h.cursor];
  if (w === undefined) throw new RangeError(`cursor ${h.cursor} outside the history`);
  return w;
}

/** One step on: replays a recorded step, or computes a new one at the end. */
export function forward(h: History): History {
  if (h.cursor < h.worlds.length - 1) return { ...h, cursor: h.cursor + 1 };
  const cur = current(h);
  const next = step(cur);
  return next === cur ? h : { worlds: [...h.worlds, next], cursor: h.cursor + 1 };
}

export function back(h: History): History {
  return h.cursor === 0 ? h : { ...h, cursor: h.cursor - 1 };
}

/** Moves to step k, computing the steps not yet reached; stops early if the run ends first. */
export function jumpTo(h: History, k: number): History {
  const target = Math.max(0, Math.floor(k));
  if (target < h.worlds.length) return { ...h, cursor: target };
  const worlds = [...h.worlds];
  let last = worlds[worlds.length - 1] as World;
  while (worlds.length <= target) {
    const next = step(last);
    if (next === last) break;
    worlds.push(next);
    last = next;
  }
  return { worlds, cursor: worlds.length - 1 };
}

/** A learner's choice at the cursor forks the run: the recorded future after it is discarded. */
export function act(h: History, action: WorldAction): History {
  const cur = current(h);
  const next = step(cur, action);
  if (next === cur) return h;
  return { worlds: [...h.worlds.slice(0, h.cursor + 1), next], cursor: h.cursor + 1 };
}
