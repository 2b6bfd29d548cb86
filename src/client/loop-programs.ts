import { PROGRAM_INFO, loadProgram, type Loaded, type Program } from '../core/select-loop/index.ts';
import asyncioChatServer from '../../content/programs/asyncio_chat_server.py?raw';
import asyncioEchoBlocking from '../../content/programs/asyncio_echo_blocking.py?raw';
import asyncioEchoServer from '../../content/programs/asyncio_echo_server.py?raw';
import blockingEcho from '../../content/programs/blocking_echo.py?raw';
import chatClientBuggy from '../../content/programs/chat_client_buggy.py?raw';
import chatClientFixed from '../../content/programs/chat_client_fixed.py?raw';
import chatServer from '../../content/programs/chat_server.py?raw';
import chatServerFramed from '../../content/programs/chat_server_framed.py?raw';
import framedServer from '../../content/programs/framed_server.py?raw';
import nonblockingBusy from '../../content/programs/nonblocking_busy.py?raw';
import selectorsClient from '../../content/programs/selectors_client.py?raw';
import selectorsServer from '../../content/programs/selectors_server.py?raw';
import selectorsServerModify from '../../content/programs/selectors_server_modify.py?raw';
import selectorsServerNotes from '../../content/programs/selectors_server.notes.json';
import epollEcho from '../../content/programs/epoll_echo.py?raw';
import uringEcho from '../../content/programs/uring_echo.py?raw';
import timeoutClient from '../../content/programs/timeout_client.py?raw';
import dualstackServer from '../../content/programs/dualstack_server.py?raw';

/** The course's programs, loaded from their .py files: the text the learner reads is the text that runs. */
const TEXTS: Readonly<Record<string, string>> = {
  'blocking_echo.py': blockingEcho,
  'nonblocking_busy.py': nonblockingBusy,
  'selectors_server.py': selectorsServer,
  'selectors_server_modify.py': selectorsServerModify,
  'selectors_client.py': selectorsClient,
  'chat_server.py': chatServer,
  'chat_server_framed.py': chatServerFramed,
  'framed_server.py': framedServer,
  'chat_client_buggy.py': chatClientBuggy,
  'chat_client_fixed.py': chatClientFixed,
  'asyncio_echo_server.py': asyncioEchoServer,
  'asyncio_chat_server.py': asyncioChatServer,
  'asyncio_echo_blocking.py': asyncioEchoBlocking,
  'epoll_echo.py': epollEcho,
  'uring_echo.py': uringEcho,
  'timeout_client.py': timeoutClient,
  'dualstack_server.py': dualstackServer,
};

const NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'selectors_server.py': selectorsServerNotes,
};

export const PROGRAMS: readonly Program[] = PROGRAM_INFO.map((info) => {
  const loaded = loadProgram(info, TEXTS[info.file] ?? '', NOTES[info.file]);
  if (!loaded.ok) throw new Error(`${info.file}:${loaded.problem.line}:${loaded.problem.col}: ${loaded.problem.message}`);
  return loaded.program;
});

export function programById(id: string): Program {
  const p = PROGRAMS.find((x) => x.id === id);
  if (p === undefined) throw new RangeError(`no program '${id}'`);
  return p;
}

export function programText(id: string): string {
  return TEXTS[programById(id).file] ?? '';
}

/** The last few edits loaded, so rebuilding a run does not parse the same text again. */
const edits = new Map<string, Loaded>();

/** A learner's text for one of the course's programs, keeping its notes (keyed by line text, so they follow the lines they explain). */
export function loadEdited(id: string, text: string): Loaded {
  const key = `${id}\n${text}`;
  const cached = edits.get(key);
  if (cached !== undefined) return cached;
  const program = programById(id);
  const loaded = text === programText(id) ? ({ ok: true, program } as const) : loadProgram(program, text, NOTES[program.file]);
  edits.set(key, loaded);
  if (edits.size > 8) edits.delete(edits.keys().next().value as string);
  return loaded;
}
