import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { lineChoices, predictNextLine, stepLines, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { programById } from '../../../../src/client/loop-programs.ts';
import { settle, loop } from './support/runs.ts';

function until(w: LoopWorld, pred: (x: LoopWorld) => boolean): LoopWorld {
  let cur = w;
  for (let i = 0; i < 2_000 && !pred(cur); i++) cur = stepLoop(cur);
  return cur;
}

describe('predict the next line', () => {
  it('the answer is where the thread goes, and it is among a few sorted choices', () => {
    for (const w of settle(loop('selectors-server', 'slow-reader'))) {
      const p = predictNextLine(w);
      if (p === undefined) continue;
      const next = stepLoop(w);
      expect(next.threads.find((t) => t.name === p.thread)?.line).toBe(p.answer);
      expect(p.choices).toContain(p.answer);
      expect(p.choices.length).toBeGreaterThanOrEqual(2);
      expect(p.choices.length).toBeLessThanOrEqual(4);
      expect([...p.choices].sort((a, b) => a - b)).toEqual(p.choices);
    }
  });

  it('asks about the branch: after `if not data:` with data, the answer skips `break`', () => {
    const w = until(loop('blocking-echo', 'one-client'), (x) => x.threads[0]?.line === 16);
    const p = predictNextLine(w)!;
    expect(p.line).toBe(16);
    expect(p.answer).toBe(18);
    expect(p.choices).toEqual(expect.arrayContaining([17, 18]));
    expect(p.explanation).toMatch(/line 18, `conn\.sendall\(data\)`/);
  });

  it('offers the function body when a line calls one, and the caller after a return', () => {
    const w = until(loop('selectors-server', 'one-client'), (x) => x.threads[0]?.line === 53);
    expect(predictNextLine(w)?.answer).toBe(12);
    const r = until(w, (x) => x.threads[0]?.line === 17);
    expect(predictNextLine(r)?.answer).toBe(51);
  });

  it('says nothing when the next step is the network’s or nothing happens', () => {
    const blocked = until(loop('blocking-echo', 'one-client'), (x) => x.threads[0]?.wait !== undefined);
    expect(predictNextLine(blocked)).toBeUndefined();
    const end = settle(loop('blocking-echo', 'one-client')).at(-1)!;
    expect(predictNextLine(end)).toBeUndefined();
  });

  it('lists only lines a step can land on, from the text and from the interpreter alike', () => {
    const program = programById('nonblocking-busy');
    for (const lines of [stepLines(program.source), program.module.stepLines]) {
      expect(lines.has(13)).toBe(false);
      expect(lines.has(20)).toBe(false);
      expect(lines.has(28)).toBe(false);
      expect(lines.has(2)).toBe(false);
      expect(lines.has(21)).toBe(true);
    }
    expect([...program.module.stepLines].sort((a, b) => a - b)).toEqual([...stepLines(program.source)].sort((a, b) => a - b));
    expect(stepLines(programById('selectors-client').source).has(22)).toBe(false);
    expect(programById('selectors-client').module.stepLines.has(22)).toBe(false);
    expect(lineChoices(program.source, 19, 21)).toEqual([12, 19, 21]);
  });
});
