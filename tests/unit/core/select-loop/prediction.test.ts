import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { createLoop, lineChoices, predictNextLine, programById, stepLines, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { settle } from './support/runs.ts';

function until(w: LoopWorld, pred: (x: LoopWorld) => boolean): LoopWorld {
  let cur = w;
  for (let i = 0; i < 2_000 && !pred(cur); i++) cur = stepLoop(cur);
  return cur;
}

describe('predict the next line', () => {
  it('the answer is where the thread goes, and it is among a few sorted choices', () => {
    for (const w of settle(createLoop('selectors-server', 'slow-reader'))) {
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
    const w = until(createLoop('blocking-echo', 'one-client'), (x) => x.threads[0]?.line === 15);
    const p = predictNextLine(w)!;
    expect(p.line).toBe(15);
    expect(p.answer).toBe(17);
    expect(p.choices).toEqual(expect.arrayContaining([16, 17]));
    expect(p.explanation).toMatch(/line 17, `conn\.sendall\(data\)`/);
  });

  it('offers the function body when a line calls one, and the caller after a return', () => {
    const w = until(createLoop('selectors-server', 'one-client'), (x) => x.threads[0]?.line === 49);
    expect(predictNextLine(w)?.answer).toBe(12);
    const r = until(w, (x) => x.threads[0]?.line === 17);
    expect(predictNextLine(r)?.answer).toBe(47);
  });

  it('says nothing when the next step is the network’s or nothing happens', () => {
    const blocked = until(createLoop('blocking-echo', 'one-client'), (x) => x.threads[0]?.blockedOn !== undefined);
    expect(predictNextLine(blocked)).toBeUndefined();
    const end = settle(createLoop('blocking-echo', 'one-client')).at(-1)!;
    expect(predictNextLine(end)).toBeUndefined();
  });

  it('lists only lines a step can land on', () => {
    const source = programById('nonblocking-busy').source;
    const lines = stepLines(source);
    expect(lines.has(12)).toBe(false);
    expect(lines.has(19)).toBe(false);
    expect(lines.has(25)).toBe(false);
    expect(lines.has(2)).toBe(false);
    expect(stepLines(programById('selectors-client').source).has(22)).toBe(false);
    expect(lineChoices(source, 18, 20)).toEqual([11, 18, 20]);
  });
});
