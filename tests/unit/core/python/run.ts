import type { LoopRun, LoopWorld, ProgramInfo, SourceProblem } from '../../../../src/core/select-loop/index.ts';
import { runSource } from '../../../../src/core/select-loop/index.ts';

export const SCRATCH: ProgramInfo = { id: 'scratch', title: 'scratch', description: '', file: 'scratch.py', role: 'server' };

/** Runs a program text with no network; its stdout lines, tracebacks and why it stopped. */
export function py(text: string, maxSteps = 20_000): LoopRun & { readonly end: LoopWorld; readonly stdout: readonly string[] } {
  const r = runSource(SCRATCH, text, 'live', { maxSteps });
  if (!r.ok) throw new Error(`${r.problem.kind} at ${r.problem.line}:${r.problem.col}: ${r.problem.message}`);
  const end = r.run.worlds[r.run.worlds.length - 1] as LoopWorld;
  return { ...r.run, end, stdout: end.stdout };
}

export function problem(text: string): SourceProblem {
  const r = runSource(SCRATCH, text, 'live');
  if (r.ok) throw new Error('expected the text to be refused');
  return r.problem;
}

export function lines(...xs: string[]): string {
  return `${xs.join('\n')}\n`;
}
