import type { Module, SourceProblem } from '../python/ast.ts';
import { parseProgram } from '../python/parse.ts';

/** What the stepper knows about a program besides its text: how to present it and who it talks to. */
export type ProgramInfo = {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The file name tracebacks show, and the file in content/programs. */
  readonly file: string;
  /** server: simulated clients connect to it; client: it connects to a simulated server. */
  readonly role: 'server' | 'client';
  /** For a client: what it finds at the address it connects to, a simulated echo or chat server. */
  readonly connectsTo?: 'echo' | 'chat';
  /** Count the system calls and wake-ups each step makes, and show them (lesson 9's comparison). */
  readonly countsSyscalls?: boolean;
};

/**
 * A Python program ready to step: its text, parsed once, and optional notes kept beside it,
 * keyed by a line's text (trimmed) so they survive edits that move lines.
 */
export type Program = ProgramInfo & {
  readonly source: readonly string[];
  readonly module: Module;
  readonly notes: Readonly<Record<string, string>>;
};

export type Loaded = { readonly ok: true; readonly program: Program } | { readonly ok: false; readonly problem: SourceProblem };

export function loadProgram(info: ProgramInfo, text: string, notes: Readonly<Record<string, string>> = {}): Loaded {
  const parsed = parseProgram(text, info.file);
  if (!parsed.ok) return parsed;
  return { ok: true, program: { ...info, source: parsed.module.lines, module: parsed.module, notes } };
}
