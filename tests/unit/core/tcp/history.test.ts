import { describe, expect, it } from 'vitest';
import { act, back, createHistory, current, forward, historyOf, jumpTo, scenarioById, step, trace } from '../../../../src/core/tcp/index.ts';

const bulk = (bytes: number, loss = 0.05) => scenarioById('bulk-transfer')!.create({ bytes, loss, seed: 3 });

describe('history', () => {
  it('forward then back returns the very same (and deep-equal) previous world', () => {
    let h = createHistory(bulk(20_000));
    const seen = [current(h)];
    for (let i = 0; i < 40; i++) {
      h = forward(h);
      seen.push(current(h));
    }
    for (let i = 39; i >= 0; i--) {
      h = back(h);
      expect(current(h)).toBe(seen[i]);
      expect(current(h)).toEqual(seen[i]);
    }
    expect(back(h)).toBe(h);
  });

  it('the state at step k is the same whether reached by stepping forward or by jumping', () => {
    const w0 = bulk(40_000);
    let stepped = createHistory(w0);
    for (let i = 0; i < 150; i++) stepped = forward(stepped);
    expect(stepped.worlds.length).toBeGreaterThan(60);
    for (const k of [0, 1, 17, 45, stepped.worlds.length - 1]) {
      const jumped = jumpTo(createHistory(bulk(40_000)), k);
      expect(current(jumped)).toEqual(stepped.worlds[k]);
      expect(current(jumpTo(stepped, k))).toBe(stepped.worlds[k]);
    }
  });

  it('jumping past the end computes the missing steps and stops when the run ends', () => {
    const h = jumpTo(createHistory(scenarioById('handshake')!.create()), 1_000);
    expect(h.worlds).toHaveLength(6);
    expect(h.cursor).toBe(5);
    expect(forward(h)).toBe(h);
  });

  it('a learner action forks the run, discarding the recorded future', () => {
    let h = createHistory(scenarioById('handshake')!.create({ mode: 'learner' }));
    h = forward(forward(h));
    const syn = current(h).network.inFlight[0]!.segment.id;
    const recorded = { ...h, worlds: [...h.worlds, step(current(h))] };
    const forked = act(recorded, { kind: 'deliver', segmentId: syn });
    expect(forked.worlds).toHaveLength(h.worlds.length + 1);
    expect(current(forked).event.kind).toBe('deliver');
  });

  it('jumps to any step of a 10,000-segment run well within a frame, exactly', () => {
    const worlds = trace(bulk(8_000_000, 0.01), 40_000);
    const segments = worlds[worlds.length - 1]!.nextSegmentId - 1;
    expect(segments).toBeGreaterThanOrEqual(10_000);
    const h = historyOf(worlds);
    const t0 = performance.now();
    let cur = h;
    for (let i = 0; i < 1000; i++) cur = jumpTo(cur, (i * 7919) % worlds.length);
    const perJump = (performance.now() - t0) / 1000;
    expect(perJump).toBeLessThan(16);
    expect(current(jumpTo(h, 5000))).toBe(worlds[5000]);
    expect(current(back(jumpTo(h, 5000)))).toBe(worlds[4999]);
  });
});
