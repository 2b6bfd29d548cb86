import { describe, expect, it } from 'vitest';
import {
  backLoop,
  createLoop,
  createLoopHistory,
  currentLoop,
  forwardLoop,
  injectLoop,
  jumpLoop,
  loopHistoryOf,
  runLoop,
  stepLoop,
} from '../../../../src/core/select-loop/index.ts';
import { randomRun, loop } from './support/runs.ts';

describe('history', () => {
  it('forward then back returns the very same worlds', () => {
    let h = createLoopHistory(loop('selectors-server', 'three-clients'));
    const seen = [currentLoop(h)];
    for (let i = 0; i < 120; i++) {
      h = forwardLoop(h);
      seen.push(currentLoop(h));
    }
    for (let i = 119; i >= 0; i--) {
      h = backLoop(h);
      expect(currentLoop(h)).toBe(seen[i]);
    }
    expect(backLoop(h)).toBe(h);
  });

  it('the world at step k is the same whether stepped to, jumped to, or replayed from step k-1', () => {
    const worlds = randomRun('chat-server', 'three-clients', 7, 600);
    for (let k = 1; k < worlds.length; k++) {
      const prev = worlds[k - 1]!;
      const w = worlds[k]!;
      // An injected step is replayed with the same input; every other step needs none.
      const replay = w.event.kind === 'injected' ? stepLoop(prev, w.event.input) : stepLoop(prev);
      expect(replay).toEqual(w);
    }
    const plain = runLoop(loop('chat-server', 'three-clients'), 300);
    for (const k of [0, 1, 57, 101, plain.length - 1]) {
      expect(currentLoop(jumpLoop(createLoopHistory(loop('chat-server', 'three-clients')), k))).toEqual(plain[k]);
      expect(currentLoop(jumpLoop(loopHistoryOf(plain), k))).toBe(plain[k]);
    }
  });

  it('jumping past the end stops where the run stops', () => {
    const h = jumpLoop(createLoopHistory(loop('blocking-echo', 'one-client')), 10_000);
    expect(forwardLoop(h)).toBe(h);
    expect(currentLoop(h).threads[0]?.wait).toEqual({ call: 'accept', fd: 3 });
  });

  it('an injected input forks the run and drops the recorded future; an impossible one changes nothing', () => {
    let h = jumpLoop(createLoopHistory(loop('blocking-echo', 'three-clients')), 40);
    h = jumpLoop(h, 12);
    const forked = injectLoop(h, { kind: 'connect', client: 'D' });
    expect(forked.worlds).toHaveLength(14);
    expect(currentLoop(forked).event).toMatchObject({ kind: 'injected', input: { kind: 'connect', client: 'D' } });
    expect(currentLoop(forked).event.explanation).toMatch(/^D connects from 127\.0\.0\.1:\d+: the kernel completes the three-way handshake/);
    expect(injectLoop(forked, { kind: 'send', client: 'nobody', data: 'x' })).toBe(forked);
    expect(injectLoop(forked, { kind: 'connect', client: 'D' })).toBe(forked);
  });

  it('jumps to any step of a 10,000-step run well within a frame, exactly', () => {
    const t0 = performance.now();
    const worlds = runLoop(loop('nonblocking-busy', 'three-clients'), 10_000);
    const built = performance.now() - t0;
    expect(worlds).toHaveLength(10_001);
    expect(built).toBeLessThan(10_000);
    const h = loopHistoryOf(worlds);
    const t1 = performance.now();
    let cur = h;
    for (let i = 0; i < 1000; i++) cur = jumpLoop(cur, (i * 7919) % worlds.length);
    const perJump = (performance.now() - t1) / 1000;
    expect(perJump).toBeLessThan(16);
    expect(currentLoop(jumpLoop(h, 9_999))).toBe(worlds[9_999]);
    expect(currentLoop(backLoop(jumpLoop(h, 5_000)))).toBe(worlds[4_999]);
    // Steps share what they did not change: the kernel is the same object across a run of wasted tries.
    const shared = worlds.slice(9_000).filter((w, i, xs) => i > 0 && w.kernel === xs[i - 1]!.kernel).length;
    expect(shared).toBeGreaterThan(900);
  });
});
