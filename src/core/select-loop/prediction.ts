import { stepLoop } from './step.ts';
import type { LoopWorld } from './world.ts';

/** "Which line runs next?": a few plausible lines, the model's answer, and why. */
export type LinePrediction = {
  readonly thread: string;
  /** The line about to run. */
  readonly line: number;
  readonly question: string;
  /** Ascending line numbers, the answer among them. */
  readonly choices: readonly number[];
  readonly answer: number;
  readonly explanation: string;
};

const MAX_CHOICES = 4;

function indentOf(s: string): number {
  return s.length - s.trimStart().length;
}

/** Lines a step can land on, read from the text alone: not blank, not inside a bracket opened above, and not `else:`, `try:` or `finally:`, which take no step. The interpreter's own list is program.module.stepLines. */
export function stepLines(source: readonly string[]): ReadonlySet<number> {
  const out = new Set<number>();
  let depth = 0;
  source.forEach((text, i) => {
    const code = text.trim();
    if (depth === 0 && code !== '' && !code.startsWith('#') && code !== 'else:' && code !== 'try:' && code !== 'finally:') out.add(i + 1);
    for (const ch of text) {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
    }
  });
  return out;
}

function firstStepAfter(source: readonly string[], steps: ReadonlySet<number>, line: number, maxIndent: number): number | undefined {
  for (let n = line + 1; n <= source.length; n++) {
    if (steps.has(n) && indentOf(source[n - 1] ?? '') <= maxIndent) return n;
  }
  return undefined;
}

function enclosingLoop(source: readonly string[], line: number): number | undefined {
  let indent = indentOf(source[line - 1] ?? '');
  for (let n = line - 1; n >= 1; n--) {
    const text = source[n - 1] ?? '';
    if (text.trim() === '' || indentOf(text) >= indent) continue;
    indent = indentOf(text);
    if (/^(while|for) /.test(text.trim())) return n;
  }
  return undefined;
}

function calledFunctionStart(source: readonly string[], steps: ReadonlySet<number>, line: number): number | undefined {
  const code = source[line - 1] ?? '';
  const def = source.findIndex((s) => {
    const m = /^def (\w+)\(/.exec(s);
    return m !== null && new RegExp(`(^|[^.\\w])${m[1]}\\(`).test(code.trim()) && !code.trim().startsWith('def ');
  });
  return def < 0 ? undefined : firstStepAfter(source, steps, def + 1, Infinity);
}

/** The answer, then the lines a learner might reasonably expect: the next line, past the block, back to the loop, into a called function, or staying put. */
export function lineChoices(source: readonly string[], line: number, answer: number, steps: ReadonlySet<number> = stepLines(source)): readonly number[] {
  const indent = indentOf(source[line - 1] ?? '');
  const header = (source[line - 1] ?? '').trimEnd().endsWith(':');
  const candidates = [
    answer,
    firstStepAfter(source, steps, line, Infinity),
    header ? firstStepAfter(source, steps, line, indent) : undefined,
    enclosingLoop(source, line),
    calledFunctionStart(source, steps, line),
    line,
  ];
  const out: number[] = [];
  for (const c of candidates) if (c !== undefined && !out.includes(c) && out.length < MAX_CHOICES) out.push(c);
  return out.sort((a, b) => a - b);
}

/** Asks about the thread that runs next; undefined when the next step is the network's, or nothing happens. */
export function predictNextLine(w: LoopWorld): LinePrediction | undefined {
  const next = stepLoop(w);
  if (next === w || next.event.kind !== 'line' || next.event.line === undefined) return undefined;
  const ranName = next.event.thread;
  const ran = w.threads.find((t) => t.name === ranName);
  const after = next.threads.find((t) => t.name === ranName);
  if (ran === undefined || after === undefined) return undefined;
  const source = w.program.source;
  const code = (n: number): string => (source[n - 1] ?? '').trim();
  const answer = after.line;
  return {
    thread: ran.name,
    line: ran.line,
    question: `${ran.name} runs line ${ran.line}, \`${code(ran.line)}\`. Which line does it run after that?`,
    choices: lineChoices(source, ran.line, answer, w.program.module.stepLines),
    answer,
    explanation: `${next.event.explanation} So ${ran.name} goes on with line ${answer}, \`${code(answer)}\`.`,
  };
}
