import type { Program } from './program.ts';
import { blockingEcho } from './programs/blocking-echo.ts';
import type { ProgramId } from './world.ts';

export const PROGRAMS: readonly Program[] = [blockingEcho];

export function programById(id: ProgramId | string): Program {
  const p = PROGRAMS.find((x) => x.id === id);
  if (p === undefined) throw new RangeError(`no program '${id}'`);
  return p;
}
