import type { LoopInput } from './inputs.ts';
import { isSettled, stepLoop } from './step.ts';
import type { Program } from './program.ts';
import type { LoopOptions, LoopWorld } from './world.ts';
import { createLoop } from './world.ts';

/**
 * The same scenario through two programs, lined up by network input: row i shows each program
 * after it has done all it could with the first i inputs, just before input i+1 arrives.
 */
export type ComparisonRow = {
  /** The input this row follows; undefined for the row before any input. */
  readonly input: LoopInput | undefined;
  readonly left: LoopWorld;
  readonly right: LoopWorld;
};

export type Comparison = {
  readonly scenarioId: string;
  readonly left: readonly LoopWorld[];
  readonly right: readonly LoopWorld[];
  readonly rows: readonly ComparisonRow[];
};

/** Enough for every scenario here; a guard against a program that never settles. */
const MAX_STEPS = 20_000;

type Run = { readonly worlds: readonly LoopWorld[]; readonly settled: readonly LoopWorld[] };

function run(w0: LoopWorld, maxSteps: number): Run {
  const worlds = [w0];
  const settled: LoopWorld[] = [];
  let cur = w0;
  for (let i = 0; i < maxSteps && !isSettled(cur); i++) {
    const next = stepLoop(cur);
    if (next === cur) break;
    if (next.nextInput > cur.nextInput) settled.push(cur);
    worlds.push(next);
    cur = next;
  }
  settled.push(cur);
  return { worlds, settled };
}

export function createComparison(programA: Program, programB: Program, scenarioId: string, options: LoopOptions = {}, maxSteps = MAX_STEPS): Comparison {
  const a = run(createLoop(programA, scenarioId, options), maxSteps);
  const b = run(createLoop(programB, scenarioId, options), maxSteps);
  const schedule = a.worlds[0]?.schedule ?? [];
  const rows: ComparisonRow[] = [];
  const n = Math.min(a.settled.length, b.settled.length);
  for (let i = 0; i < n; i++) {
    rows.push({ input: i === 0 ? undefined : schedule[i - 1], left: a.settled[i] as LoopWorld, right: b.settled[i] as LoopWorld });
  }
  return { scenarioId, left: a.worlds, right: b.worlds, rows };
}
