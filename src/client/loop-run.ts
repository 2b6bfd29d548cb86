import {
  buildRun,
  createComparison,
  type Comparison,
  type LoopInput,
  MAX_RUN_STEPS,
  SCENARIOS,
  type LoopWorld,
  type ProgramId,
} from '../core/select-loop/index.ts';
import { z } from 'zod';
import { PROGRAMS, programById } from './loop-programs.ts';

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
export type LoopSpec = {
  program: ProgramId;
  compare?: ProgramId;
  scenario: string;
  injections: { at: number; input: LoopInput }[];
};

/** Every world of a single-program run, replaying injected events where they were made; `schedule` replaces the scenario's inputs. */
export function buildLoopRun(spec: LoopSpec, schedule?: readonly LoopInput[]): readonly LoopWorld[] {
  return buildRun(programById(spec.program), spec.scenario, { injections: spec.injections, ...(schedule === undefined ? {} : { schedule }) }).worlds;
}

/** Side by side: both programs after each scheduled input, row by row. */
export function buildComparison(spec: LoopSpec): Comparison | undefined {
  if (spec.compare === undefined) return undefined;
  return createComparison(programById(spec.program), programById(spec.compare), spec.scenario, {}, MAX_LOOP_STEPS);
}

/** The learner injected `input` at step `at`: what came after is forgotten. */
export function inject(spec: LoopSpec, at: number, input: LoopInput): LoopSpec {
  return { ...spec, injections: [...spec.injections.filter((injection) => injection.at < at), { at, input }] };
}

export type LoopPermalink = { spec: LoopSpec; step: number };

export function writeLoopPermalink(params: URLSearchParams, prefix: string, link: LoopPermalink): void {
  const { spec } = link;
  const entries: [string, string][] = [
    ['p', spec.program],
    ['c', spec.compare ?? ''],
    ['s', spec.scenario],
    ['do', spec.injections.length === 0 ? '' : JSON.stringify(spec.injections)],
    ['step', String(link.step)],
  ];
  for (const [key, value] of entries) {
    if (value === '') params.delete(`${prefix}.${key}`);
    else params.set(`${prefix}.${key}`, value);
  }
}

/** Reads a run back; a malformed or foreign link falls back to the widget's own defaults. */
export function readLoopPermalink(params: URLSearchParams, prefix: string, fallback: LoopSpec): LoopPermalink {
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
  const step = Number(get('step'));
  return {
    spec: parsed.success ? (parsed.data as LoopSpec) : fallback,
    step: parsed.success && Number.isFinite(step) && step > 0 ? Math.floor(step) : 0,
  };
}
