import {
  buildRun,
  createComparison,
  type Comparison,
  type LoopInput,
  MAX_RUN_STEPS,
  SCENARIOS,
  type LoopRun,
  type Program,
  type ProgramId,
} from '../core/select-loop/index.ts';
import { z } from 'zod';
import { forkAt } from '../core/replay.ts';
import type { SourceProblem } from '../core/python/ast.ts';
import { PROGRAMS, loadEdited, programById } from './loop-programs.ts';
import { MAX_PACKED_CHARS, packSource, unpackSource } from './source-link.ts';

/**
 * An event-loop stepper's run as data: program, scenario, and the events the learner injected
 * along the way. Replaying it gives the same worlds, so a link reopens the same step.
 */

/** A loop that never blocks spins forever once its inputs are used up; the run stops here. */
export const MAX_LOOP_STEPS = MAX_RUN_STEPS;

const programIds = PROGRAMS.map((program) => program.id);
const scenarioIds = SCENARIOS.map((scenario) => scenario.id);

const loopInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connect'), client: z.string().max(16), slowReader: z.boolean().optional() }),
  z.object({ kind: z.literal('send'), client: z.string().max(16), data: z.string().max(4096) }),
  z.object({ kind: z.literal('close'), client: z.string().max(16) }),
  z.object({ kind: z.literal('reset'), client: z.string().max(16) }),
  z.object({
    kind: z.literal('drain'),
    client: z.string().max(16),
    bytes: z
      .number()
      .int()
      .positive()
      .max(1 << 20),
  }),
  z.object({ kind: z.literal('type'), client: z.string().max(16).optional(), text: z.string().max(4096) }),
]);

export const loopSpec = z.object({
  program: z
    .string()
    .refine((id) => (programIds as string[]).includes(id), { message: `program must be one of ${programIds.join(', ')}` }),
  compare: z
    .string()
    .refine((id) => (programIds as string[]).includes(id))
    .optional(),
  scenario: z.string().refine((id) => scenarioIds.includes(id), { message: `scenario must be one of ${scenarioIds.join(', ')}` }),
  injections: z.array(z.object({ at: z.number().int().nonnegative(), input: loopInput })).max(200),
});
/** A learner's own text for one of the programs, and the same text packed for a link. */
export type EditedSource = { text: string; packed: string };

export type LoopSpec = {
  program: ProgramId;
  compare?: ProgramId;
  scenario: string;
  injections: { at: number; input: LoopInput }[];
  /** The learner's edit of `program`, run instead of the lesson's text. */
  source?: EditedSource;
  /** The learner's edit of `compare`. */
  compareSource?: EditedSource;
};

/** Which of a spec's programs: the one on the left, or the one beside it. */
export type Side = 'program' | 'compare';

/** The program a spec runs on one side: the learner's edit when there is one, else the lesson's. */
export function specProgram(spec: LoopSpec, side: Side = 'program'): Program {
  const id = side === 'program' ? spec.program : spec.compare;
  if (id === undefined) throw new RangeError('this spec runs one program');
  const edited = side === 'program' ? spec.source : spec.compareSource;
  if (edited === undefined) return programById(id);
  const loaded = loadEdited(id, edited.text);
  // Specs hold only edits that load (see editSpec); a stale one falls back to the lesson's text.
  return loaded.ok ? loaded.program : programById(id);
}

/** A spec running `text` on one side, or why the text cannot run. The learner's injections belonged to the old program, so they go. */
export async function editSpec(spec: LoopSpec, side: Side, text: string): Promise<{ ok: true; spec: LoopSpec } | { ok: false; problem: SourceProblem }> {
  const id = side === 'program' ? spec.program : spec.compare;
  if (id === undefined) throw new RangeError('this spec runs one program');
  const loaded = loadEdited(id, text);
  if (!loaded.ok) return loaded;
  const source = { text, packed: await packSource(text) };
  return { ok: true, spec: { ...spec, injections: [], ...(side === 'program' ? { source } : { compareSource: source }) } };
}

/** The spec with the lesson's own text back on one side. */
export function restoreSpec(spec: LoopSpec, side: Side): LoopSpec {
  const { source, compareSource, ...rest } = spec;
  const kept = side === 'program' ? compareSource : source;
  return { ...rest, injections: [], ...(kept === undefined ? {} : side === 'program' ? { compareSource: kept } : { source: kept }) };
}

/** Every world of a single-program run, replaying injected events where they were made; `schedule` replaces the scenario's inputs. */
export function buildLoopRun(spec: LoopSpec, schedule?: readonly LoopInput[]): LoopRun {
  return buildRun(specProgram(spec), spec.scenario, { injections: spec.injections, ...(schedule === undefined ? {} : { schedule }) });
}

/** Side by side: both programs after each scheduled input, row by row. */
export function buildComparison(spec: LoopSpec): Comparison | undefined {
  if (spec.compare === undefined) return undefined;
  return createComparison(specProgram(spec), specProgram(spec, 'compare'), spec.scenario, {}, MAX_LOOP_STEPS);
}

/** The learner injected `input` at step `at`: what came after is forgotten. */
export function inject(spec: LoopSpec, at: number, input: LoopInput): LoopSpec {
  return { ...spec, injections: forkAt(spec.injections, { at, input }) };
}

export type LoopPermalink = { spec: LoopSpec; step: number };

/** What became of an edited program a link carried but the stepper could not take. */
export type RefusedSource =
  | { side: Side; why: 'malformed' | 'too-long' }
  | { side: Side; why: 'problem'; text: string; problem: SourceProblem };

export type ReadPermalink = LoopPermalink & { refused?: RefusedSource };

export function writeLoopPermalink(params: URLSearchParams, prefix: string, link: LoopPermalink): void {
  const { spec } = link;
  const entries: [string, string][] = [
    ['p', spec.program],
    ['c', spec.compare ?? ''],
    ['s', spec.scenario],
    ['do', spec.injections.length === 0 ? '' : JSON.stringify(spec.injections)],
    ['src', spec.source?.packed ?? ''],
    ['csrc', spec.compareSource?.packed ?? ''],
    ['step', String(link.step)],
  ];
  for (const [key, value] of entries) {
    if (value === '') params.delete(`${prefix}.${key}`);
    else params.set(`${prefix}.${key}`, value);
  }
}

/**
 * Reads a run back; a malformed or foreign link falls back to the widget's own defaults. An edited
 * program that cannot be read or run is left out, and `refused` says why (with the text, when there
 * is one, so the learner gets it back in the editor).
 */
export async function readLoopPermalink(params: URLSearchParams, prefix: string, fallback: LoopSpec): Promise<ReadPermalink> {
  const get = (key: string) => params.get(`${prefix}.${key}`);
  if (get('p') === null) return { spec: fallback, step: 0 };
  let injections: unknown = [];
  try {
    injections = JSON.parse(get('do') ?? '[]');
  } catch {
    injections = [];
  }
  const parsed = loopSpec.safeParse({
    program: get('p'),
    compare: get('c') ?? undefined,
    scenario: get('s') ?? fallback.scenario,
    injections,
  });
  if (!parsed.success) return { spec: fallback, step: 0 };
  let spec = parsed.data as LoopSpec;
  let refused: RefusedSource | undefined;
  for (const [side, key] of [
    ['program', 'src'],
    ['compare', 'csrc'],
  ] as const) {
    const packed = get(key);
    if (packed === null || (side === 'compare' && spec.compare === undefined)) continue;
    const unpacked = await unpackSource(packed.slice(0, MAX_PACKED_CHARS + 1));
    if (!unpacked.ok) {
      refused = { side, why: unpacked.why };
      continue;
    }
    const edited = await editSpec(spec, side, unpacked.text);
    if (!edited.ok) {
      refused = { side, why: 'problem', text: unpacked.text, problem: edited.problem };
      continue;
    }
    // editSpec starts the edited program afresh; the link's own injections were made on it.
    spec = { ...edited.spec, injections: spec.injections };
  }
  const step = Number(get('step'));
  return {
    spec,
    step: Number.isFinite(step) && step > 0 ? Math.floor(step) : 0,
    ...(refused === undefined ? {} : { refused }),
  };
}
