import type { SourceProblem } from '../python/ast.ts';
import type { Traceback } from '../python/frame.ts';
import type { LoopInput } from './inputs.ts';
import type { Program, ProgramInfo } from './program.ts';
import { loadProgram } from './program.ts';
import { madeAt, replay } from '../replay.ts';
import { isSettled, stepLoop } from './step.ts';
import type { LoopOptions, LoopWorld } from './world.ts';
import { createLoop } from './world.ts';

/** A loop that never blocks spins forever once its inputs are used up; a run stops here at the latest. */
export const MAX_RUN_STEPS = 3000;

/**
 * Why a run ended: the process exited; every thread waits for input that will not come; the
 * program spins without ever blocking; or it was still busy when the step cap was reached.
 */
export type RunStop = { readonly reason: 'exited' | 'waiting' | 'spinning' | 'step-cap'; readonly steps: number };

export type LoopRun = {
  readonly worlds: readonly LoopWorld[];
  readonly stop: RunStop;
  /** Uncaught exceptions, in the order they ended their threads. */
  readonly tracebacks: readonly Traceback[];
};

export type RunOutcome = { readonly ok: true; readonly program: Program; readonly run: LoopRun } | { readonly ok: false; readonly problem: SourceProblem };

export type RunOptions = LoopOptions & {
  /** Inputs the learner injected, each at the step it was made; what came after it is replayed from there. */
  readonly injections?: readonly { readonly at: number; readonly input: LoopInput }[];
  readonly maxSteps?: number;
};

/** Every world of a run, replaying injected inputs where they were made, until it settles or reaches the cap. */
export function buildRun(program: Program, scenarioId: string, options: RunOptions = {}): LoopRun {
  const { injections = [], maxSteps = MAX_RUN_STEPS, ...loopOptions } = options;
  const lastInjection = Math.max(-1, ...injections.map((i) => i.at));
  const { worlds, capped } = replay(
    createLoop(program, scenarioId, loopOptions),
    (world, i) => {
      const injected = madeAt(injections, i)[0]?.input;
      if (injected === undefined && i > lastInjection && isSettled(world)) return undefined;
      // An injection that cannot happen here (a stale link, say) is passed over, not the end of the run.
      const tried = injected === undefined ? world : stepLoop(world, injected);
      return { next: tried === world ? stepLoop(world) : tried };
    },
    maxSteps,
  );
  const last = worlds[worlds.length - 1] as LoopWorld;
  const reason = last.exited ? 'exited' : capped && !isSettled(last) ? 'step-cap' : last.threads.every((t) => t.wait !== undefined) ? 'waiting' : 'spinning';
  return { worlds, stop: { reason, steps: worlds.length - 1 }, tracebacks: last.tracebacks };
}

/** Runs a program's text (a learner's edit, say) against a scenario: a run, or where and why the text cannot run. */
export function runSource(info: ProgramInfo, text: string, scenarioId: string, options: RunOptions = {}, notes: Readonly<Record<string, string>> = {}): RunOutcome {
  const loaded = loadProgram(info, text, notes);
  if (!loaded.ok) return loaded;
  return { ok: true, program: loaded.program, run: buildRun(loaded.program, scenarioId, options) };
}
