import type { Program } from './program.ts';
import { blockingEcho } from './programs/blocking-echo.ts';
import { chatClientBuggy } from './programs/chat-client-buggy.ts';
import { chatClientFixed } from './programs/chat-client-fixed.ts';
import { chatServer } from './programs/chat-server.ts';
import { nonblockingBusy } from './programs/nonblocking-busy.ts';
import { selectorsClient } from './programs/selectors-client.ts';
import { selectorsServer } from './programs/selectors-server.ts';
import type { ProgramId } from './world.ts';

export const PROGRAMS: readonly Program[] = [blockingEcho, nonblockingBusy, selectorsServer, selectorsClient, chatServer, chatClientBuggy, chatClientFixed];

export function programById(id: ProgramId | string): Program {
  const p = PROGRAMS.find((x) => x.id === id);
  if (p === undefined) throw new RangeError(`no program '${id}'`);
  return p;
}
