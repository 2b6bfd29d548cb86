import { describe, expect, it } from 'vitest';
import { PROGRAM_INFO, SCENARIOS, runSource } from '../../../../src/core/select-loop/index.ts';
import { createRng, seedRng } from '../../../../src/core/rng.ts';
import { programText } from '../../../../src/client/loop-programs.ts';

/** A learner will edit these programs: whatever the edit, the page gets a run or a reason, never a crash. */
describe('random edits of the course programs', () => {
  it.each(PROGRAM_INFO.map((p) => p.id))('%s: 40 edits, each a run (with Python’s own errors) or a stated problem', (id) => {
    const rng = createRng(seedRng(id.length * 7919));
    const lines = programText(id).split('\n');
    const scenarios = SCENARIOS.filter((s) => s.programs.includes(id));
    for (let i = 0; i < 40; i++) {
      const edited = [...lines];
      const k = rng.int(edited.length);
      const op = rng.int(4);
      if (op === 0) edited.splice(k, 1);
      else if (op === 1) edited.splice(k, 0, edited[rng.int(edited.length)] ?? '');
      else if (op === 2) edited.splice(k, 2, edited[k + 1] ?? '', edited[k] ?? '');
      else edited[k] = (edited[k] ?? '').replace(/\b\w{3,}\b/, (w) => w.slice(1));
      const scenario = scenarios[rng.int(scenarios.length)]?.id ?? 'live';
      const r = runSource(PROGRAM_INFO.find((p) => p.id === id)!, edited.join('\n'), scenario, { maxSteps: 300 });
      if (!r.ok) {
        expect(r.problem.line).toBeGreaterThan(0);
        continue;
      }
      expect(r.run.tracebacks.filter((t) => t.type === 'SystemError')).toEqual([]);
      expect(r.run.worlds.length).toBeGreaterThan(0);
    }
  });
});
