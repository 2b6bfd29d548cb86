import { describe, expect, it } from 'vitest';
import { buildRun, runLoop, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { programById } from '../../../../src/client/loop-programs.ts';
import { loop, randomRun } from './support/runs.ts';

describe('runs: every world kept, so back and jump are exact', () => {
  it('the world at step k is the same whether stepped to or replayed from step k-1', () => {
    const worlds = randomRun('chat-server', 'three-clients', 7, 600);
    for (let k = 1; k < worlds.length; k++) {
      const prev = worlds[k - 1]!;
      const w = worlds[k]!;
      // An injected step is replayed with the same input; every other step needs none.
      const replay = w.event.kind === 'injected' ? stepLoop(prev, w.event.input) : stepLoop(prev);
      expect(replay).toEqual(w);
    }
  });

  it('a run stops where nothing more can happen, and says why', () => {
    const run = buildRun(programById('blocking-echo'), 'one-client');
    const end = run.worlds.at(-1)!;
    expect(stepLoop(end)).toBe(end);
    expect(run.stop).toEqual({ reason: 'waiting', steps: run.worlds.length - 1 });
    expect(end.threads[0]?.wait).toEqual({ call: 'accept', fd: 3 });
    expect(buildRun(programById('selectors-client'), 'echo-server').stop.reason).toBe('exited');
    expect(buildRun(programById('nonblocking-busy'), 'one-client').stop.reason).toBe('spinning');
  });

  it('an injected input forks the run at its step; the recorded future after it is replayed from there', () => {
    const plain = buildRun(programById('blocking-echo'), 'three-clients');
    const forked = buildRun(programById('blocking-echo'), 'three-clients', { injections: [{ at: 12, input: { kind: 'connect', client: 'D' } }] });
    expect(forked.worlds.slice(0, 13)).toEqual(plain.worlds.slice(0, 13));
    expect(forked.worlds[13]?.event).toMatchObject({ kind: 'injected', input: { kind: 'connect', client: 'D' } });
    expect(forked.worlds.at(-1)?.kernel.peers.map((p) => p.name)).toEqual(['A', 'D', 'B', 'C']);
    const impossible = buildRun(programById('blocking-echo'), 'three-clients', { injections: [{ at: 12, input: { kind: 'send', client: 'nobody', data: 'x' } }] });
    expect(impossible.worlds).toEqual(plain.worlds);
  });

  it('builds a 10,000-step run, and any step of it is one array index away', () => {
    const t0 = performance.now();
    const worlds = runLoop(loop('nonblocking-busy', 'three-clients'), 10_000);
    const built = performance.now() - t0;
    expect(worlds).toHaveLength(10_001);
    expect(built).toBeLessThan(10_000);
    // Steps share what they did not change: the kernel is the same object across a run of wasted tries.
    const shared = worlds.slice(9_000).filter((w, i, xs) => i > 0 && w.kernel === xs[i - 1]!.kernel).length;
    expect(shared).toBeGreaterThan(900);
    expect(worlds[9_999]?.step).toBe(9_999);
  });
});
