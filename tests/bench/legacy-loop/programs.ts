import type { Program } from './program.ts';
import { nonblockingBusy } from './programs/nonblocking-busy.ts';

/**
 * The hand-coded engine the interpreter replaced, kept only so `npm run bench` can measure the
 * interpreter against it in the same run: one program (a switch per line number) and the pieces it needs.
 */
export const PROGRAMS: readonly Program[] = [nonblockingBusy];

export function programById(id: string): Program {
  const p = PROGRAMS.find((x) => x.id === id);
  if (p === undefined) throw new RangeError(`no program '${id}'`);
  return p;
}
