import { z } from 'zod';
import { forkAt, madeAt, replay } from '../core/replay.ts';
import { armDropNext, scenarioById, SCENARIOS, step, type SynBackoff, type World } from '../core/tcp/index.ts';

/**
 * A stepper run as data: which scenario, which knobs, and what the learner did along the way.
 * Replaying it gives exactly the same worlds, which is what makes a permalink show the same step.
 */

/** A run stops here even if something is still pending; the bulk transfer is far shorter. */
export const MAX_RUN_STEPS = 20_000;

export const LATENCIES_MS = [5, 50, 200] as const;
export const LOSSES_PCT = [0, 10, 30] as const;

/** The SYN retry schedules a learner can pick, first the model's default; `key` is the permalink's value. */
export const SYN_SCHEDULES = [
  { value: 'linear-then-exponential', key: 'linux', label: 'Linux 6.5+: 1, 2, 3, 4, 5, 7, 11… s' },
  { value: 'exponential', key: 'rfc', label: 'RFC 6298, older Linux: 1, 3, 7, 15… s' },
] as const satisfies readonly { value: SynBackoff; key: string; label: string }[];

export type Intervention =
  | { readonly at: number; readonly kind: 'arm-drop' | 'wait' }
  | { readonly at: number; readonly kind: 'deliver' | 'drop'; readonly segmentId: number };

const scenarioIds = SCENARIOS.map((scenario) => scenario.id);

export const runSpec = z.object({
  scenario: z
    .string()
    .refine((id) => scenarioIds.includes(id), { message: `scenario must be one of ${scenarioIds.join(', ')}` })
    .describe('A scenario id from src/core/tcp/scenarios.ts.'),
  latencyMs: z.number().int().min(1).max(2000).describe('One-way latency of the simulated network.'),
  lossPct: z.number().int().min(0).max(90).describe('Chance that any one segment is lost, in percent.'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .describe('Seeds the loss draws and the initial sequence numbers.'),
  learner: z.boolean().describe('The learner chooses which in-flight segment arrives next.'),
  synBackoff: z.enum(['linear-then-exponential', 'exponential']).describe("How a connect()'s SYN retransmissions are spaced."),
  interventions: z
    .array(
      z.union([
        z.object({ at: z.number().int().nonnegative(), kind: z.enum(['arm-drop', 'wait']) }),
        z.object({
          at: z.number().int().nonnegative(),
          kind: z.enum(['deliver', 'drop']),
          segmentId: z.number().int().positive(),
        }),
      ]),
    )
    .max(500),
});
export type RunSpec = z.infer<typeof runSpec>;

export function defaultSpec(scenario: string): RunSpec {
  return { scenario, latencyMs: 50, lossPct: 0, seed: 1, learner: false, synBackoff: 'linear-then-exponential', interventions: [] };
}

export function initialWorld(spec: RunSpec): World {
  const scenario = scenarioById(spec.scenario) ?? SCENARIOS[0];
  if (scenario === undefined) throw new Error('no TCP scenarios');
  return scenario.create({
    latency: spec.latencyMs * 1000,
    loss: spec.lossPct / 100,
    seed: spec.seed,
    mode: spec.learner ? 'learner' : 'timed',
    synBackoff: spec.synBackoff,
  });
}

/**
 * Every world of the run, replaying the learner's interventions where they were made. A timed run
 * goes until nothing is left to happen; a run in "learner chooses" mode stops wherever segments are
 * waiting, until the learner delivers one, loses one, or lets time pass ("wait").
 */
export function buildRun(spec: RunSpec): World[] {
  return replay(
    initialWorld(spec),
    (world, i) => {
      const here = madeAt(spec.interventions, i);
      // Arming a drop changes this step's world, so the learner sees it armed here.
      const armed = here.some((intervention) => intervention.kind === 'arm-drop') ? armDropNext(world) : world;
      const changed = armed === world ? {} : { here: armed };
      const choice = here.find((intervention) => intervention.kind !== 'arm-drop');
      // With segments waiting for the learner, time moves on only when they say so.
      if (spec.learner && choice === undefined && armed.network.inFlight.length > 0) return { next: armed, ...changed };
      const next =
        choice?.kind === 'deliver' || choice?.kind === 'drop'
          ? step(armed, { kind: choice.kind, segmentId: choice.segmentId })
          : step(armed);
      return { next, ...changed };
    },
    MAX_RUN_STEPS,
  ).worlds;
}

/** The learner acted at step `at`: what came after is forgotten, the run forks from here. */
export function intervene(spec: RunSpec, intervention: Intervention): RunSpec {
  // A drop armed at this very step stays armed when the learner then picks what happens.
  const keep = (other: Intervention) =>
    other.at < intervention.at || (other.at === intervention.at && other.kind === 'arm-drop' && intervention.kind !== 'arm-drop');
  return { ...spec, interventions: forkAt(spec.interventions, intervention, keep) };
}

function encodeIntervention(intervention: Intervention): string {
  if (!('segmentId' in intervention)) return `${intervention.at}${intervention.kind === 'wait' ? 'w' : 'a'}`;
  return `${intervention.at}${intervention.kind === 'deliver' ? 'd' : 'x'}${intervention.segmentId}`;
}

function decodeIntervention(text: string): Intervention | undefined {
  const match = /^(\d+)(a|w|d|x)(\d*)$/.exec(text);
  if (match === null) return undefined;
  const at = Number(match[1]);
  if (match[2] === 'a') return { at, kind: 'arm-drop' };
  if (match[2] === 'w') return { at, kind: 'wait' };
  return { at, kind: match[2] === 'd' ? 'deliver' : 'drop', segmentId: Number(match[3]) };
}

export type Permalink = { spec: RunSpec; step: number; absolute: boolean };

/** Writes a run into URL parameters under a prefix, so several steppers share one address. */
export function writePermalink(params: URLSearchParams, prefix: string, link: Permalink): void {
  const { spec } = link;
  const entries: [string, string][] = [
    ['s', spec.scenario],
    ['lat', String(spec.latencyMs)],
    ['loss', String(spec.lossPct)],
    ['seed', String(spec.seed)],
    ['learner', spec.learner ? '1' : ''],
    ['syn', spec.synBackoff === SYN_SCHEDULES[0].value ? '' : (SYN_SCHEDULES.find((s) => s.value === spec.synBackoff)?.key ?? '')],
    ['do', spec.interventions.map(encodeIntervention).join('.')],
    ['step', String(link.step)],
    ['abs', link.absolute ? '1' : ''],
  ];
  for (const [key, value] of entries) {
    if (value === '') params.delete(`${prefix}.${key}`);
    else params.set(`${prefix}.${key}`, value);
  }
}

/** Reads a run back; anything malformed falls back to the defaults rather than breaking the page. */
export function readPermalink(params: URLSearchParams, prefix: string, fallbackScenario: string): Permalink {
  const get = (key: string) => params.get(`${prefix}.${key}`);
  const number = (key: string, fallback: number) => {
    const value = Number(get(key));
    return get(key) === null || !Number.isFinite(value) ? fallback : value;
  };
  const base = defaultSpec(fallbackScenario);
  const interventions = (get('do') ?? '')
    .split('.')
    .filter((part) => part !== '')
    .map(decodeIntervention);
  const parsed = runSpec.safeParse({
    scenario: get('s') ?? fallbackScenario,
    latencyMs: number('lat', base.latencyMs),
    lossPct: number('loss', base.lossPct),
    seed: number('seed', base.seed),
    learner: get('learner') === '1',
    synBackoff: SYN_SCHEDULES.find((s) => s.key === get('syn'))?.value ?? base.synBackoff,
    interventions: interventions.every((item) => item !== undefined) ? interventions : [],
  });
  return {
    spec: parsed.success ? parsed.data : base,
    step: Math.max(0, Math.floor(number('step', 0))),
    absolute: get('abs') === '1',
  };
}
