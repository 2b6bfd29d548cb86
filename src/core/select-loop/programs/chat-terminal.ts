import type { Code } from '../interpreter.ts';
import { goTo, print, raiseIn } from '../interpreter.ts';
import type { Outcome } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PeerSpec } from '../kernel.ts';
import { str, strLiteral, utf8Decode } from '../py-value.ts';
import type { LoopThread, LoopWorld } from '../world.ts';

/** What both chat clients connect to: a chat server that relays the other users' messages. */
export const CHAT_SERVER: PeerSpec = { name: 'chat server', kind: 'chat-server', slowReader: false };

/** msg = input("> "): the next typed line, or a wait at the prompt. The output shows the prompt with what was typed. */
export function inputLine(w: LoopWorld, t: LoopThread, next: number): Outcome {
  const [line, ...rest] = w.stdin;
  if (line === undefined) return blocked('input("> "): waiting for the user to type a line');
  return ran(
    goTo({ ...w, stdin: rest, output: [...w.output, `> ${line}`] }, t.id, next, { msg: str(line) }),
    `input("> ") returns ${strLiteral(line)}: the line the user typed, without its newline.`,
  );
}

/** print(data.decode()): strict UTF-8, so a character cut in two by recv() raises UnicodeDecodeError. */
export function printDecoded(w: LoopWorld, t: LoopThread, code: Code, data: string, next: number, why: string): Outcome {
  const d = utf8Decode(data);
  if (!d.ok)
    return ran(
      raiseIn(w, t.id, code, d.error),
      `data.decode() raises: the bytes are not whole UTF-8 characters. ${t.name} ends.`,
    );
  return ran(goTo(print(w, d.text), t.id, next), `Prints ${strLiteral(d.text)}. ${why}`);
}
