/**
 * The event-loop stepper's engine: the Python interpreter running nonblocking_busy.py against the
 * hand-coded engine it replaced (tests/bench/legacy-loop, the same program as a switch per line),
 * on the same scenario, in this same run.
 */
import { readFileSync } from 'node:fs';
import { createLoop, loadProgram, programInfo, runLoop } from '../../src/core/select-loop/index.ts';
import { createLoop as legacyCreate } from './legacy-loop/world.ts';
import { runLoop as legacyRun } from './legacy-loop/step.ts';

const FRAME_MS = 1000 / 60;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A course program from its .py file (the page imports them raw; Node reads them). */
function courseProgram(id: string) {
  const info = programInfo(id);
  const loaded = loadProgram(info, readFileSync(new URL(`../../content/programs/${info.file}`, import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.problem.message);
  return loaded.program;
}
const program = courseProgram('nonblocking-busy');
const STEPS = 10_000;

function best(repeat: number, work: () => number): { ms: number; steps: number } {
  let ms = Infinity;
  let steps = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    steps = work();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, steps };
}

console.log(`\nevent-loop engine: nonblocking_busy.py × three-clients, ${fmt(STEPS, 0)} steps (best of 3)`);
const interp = best(3, () => runLoop(createLoop(program, 'three-clients'), STEPS).length - 1);
const legacy = best(3, () => legacyRun(legacyCreate('nonblocking-busy', 'three-clients'), STEPS).length - 1);
const perSecond = (r: { ms: number; steps: number }) => (r.steps / r.ms) * 1000;
console.log(`  interpreter: ${fmt(interp.ms, 0)} ms, ${fmt(perSecond(interp), 0)} steps/s`);
console.log(`  hand-coded switch: ${fmt(legacy.ms, 0)} ms, ${fmt(perSecond(legacy), 0)} steps/s`);
console.log(`  ratio: the interpreter takes ${fmt(interp.ms / legacy.ms, 1)}× as long to build the run`);

// The longest run the page builds: a busy loop runs to the stepper's cap.
{
  const t0 = performance.now();
  const worlds = runLoop(createLoop(program, 'three-clients'), 3000);
  const ms = performance.now() - t0;
  const t1 = performance.now();
  legacyRun(legacyCreate('nonblocking-busy', 'three-clients'), 3000);
  const old = performance.now() - t1;
  console.log(`\nlongest run the page builds (${worlds.length - 1} steps, the stepper's cap)`);
  console.log(`  interpreter ${fmt(ms, 0)} ms, hand-coded ${fmt(old, 0)} ms; ratio ${fmt(ms / old, 1)}×, ${fmt(ms / FRAME_MS, 1)} frames`);
}

// Jumping reads a kept world (the stepper keeps every world of its run); replaying from step 0 would mean rebuilding the run.
{
  const worlds = runLoop(createLoop(program, 'three-clients'), STEPS);
  const jumps = 100_000;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < jumps; i++) sink += worlds[(i * 7919) % worlds.length]?.step ?? 0;
  const perJump = (performance.now() - t0) / jumps;
  const fresh = best(1, () => runLoop(createLoop(program, 'three-clients'), STEPS - 1).length);
  console.log(`\njump within a ${fmt(worlds.length - 1, 0)}-step run (${sink > 0 ? 'checked' : 'empty'})`);
  console.log(`  to a kept step: ${fmt(perJump * 1000, 2)} µs, ${fmt((perJump / FRAME_MS) * 100, 5)} % of a frame`);
  console.log(`  to step ${fmt(STEPS - 1, 0)} of a run not built yet: ${fmt(fresh.ms, 0)} ms`);
}

// "Test my server" runs a whole suite on a click: each check's run and the reference's, side by side with one plain run.
{
  const { checksFor, runCheck, TESTABLE } = await import('../../src/core/select-loop/checks.ts');
  for (const id of ['selectors-server-modify', 'chat-server-framed']) {
    const suite = TESTABLE[id]!.suite;
    const subject = courseProgram(id);
    const checks = checksFor(suite);
    const all = best(3, () => checks.reduce((n, check) => n + runCheck(subject, check).steps, 0));
    const one = best(3, () => runLoop(createLoop(subject, 'three-clients'), 3000).length);
    console.log(`\nTest my server: ${id}, ${checks.length} ${suite} checks (best of 3)`);
    console.log(`  the suite: ${fmt(all.ms, 0)} ms for ${fmt(all.steps, 0)} steps; one three-clients run: ${fmt(one.ms, 0)} ms`);
    console.log(`  ratio: the suite costs ${fmt(all.ms / one.ms, 1)}× one stepper run, ${fmt(all.ms / FRAME_MS, 1)} frames`);
  }
}
