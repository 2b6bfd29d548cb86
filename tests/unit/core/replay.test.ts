import { describe, expect, it } from 'vitest';
import { forkAt, madeAt, replay } from '../../../src/core/replay.ts';
import { scenarioById, step, type World } from '../../../src/core/tcp/index.ts';
import { buildRun, defaultSpec, intervene } from '../../../src/client/tcp-run.ts';

/** A counter that stops at 5, and adds what the learner injected where they injected it. */
const count = (made: readonly { at: number; add: number }[] = []) =>
  replay<number>(
    0,
    (n, i) => {
      const add = madeAt(made, i).reduce((sum, input) => sum + input.add, 0);
      return n >= 5 && add === 0 ? undefined : { next: n + 1 + add };
    },
    100,
  );

describe('replay', () => {
  it('gives every world in order and stops when nothing more happens', () => {
    expect(count()).toEqual({ worlds: [0, 1, 2, 3, 4, 5], capped: false });
  });

  it('replays inputs at the step they were made, so a fork shares the past and changes the future', () => {
    const plain = count().worlds;
    const forked = count([{ at: 2, add: 10 }]).worlds;
    expect(forked.slice(0, 3)).toEqual(plain.slice(0, 3));
    expect(forked[3]).toBe(13);
    expect(forked).toHaveLength(4);
  });

  it('says when the cap, not the run, ended it', () => {
    const endless = replay(0, (n) => ({ next: n + 1 }), 50);
    expect(endless.capped).toBe(true);
    expect(endless.worlds).toHaveLength(51);
  });

  it('lets an input change the world at its own step', () => {
    const r = replay(0, (n, i) => (i === 0 ? { here: 100, next: 101 } : i < 3 ? { next: n + 1 } : undefined), 10);
    expect(r.worlds).toEqual([100, 101, 102, 103]);
  });

  it('ends where a step changes nothing', () => {
    expect(replay(7, (n) => ({ next: n }), 10)).toEqual({ worlds: [7], capped: false });
  });
});

describe('forkAt', () => {
  it('forgets the inputs made after the fork, keeping the ones before', () => {
    const made = [
      { at: 1, add: 1 },
      { at: 4, add: 4 },
    ];
    expect(forkAt(made, { at: 3, add: 3 })).toEqual([
      { at: 1, add: 1 },
      { at: 3, add: 3 },
    ]);
    expect(forkAt(made, { at: 4, add: 9 })).toEqual([
      { at: 1, add: 1 },
      { at: 4, add: 9 },
    ]);
  });
});

describe('the TCP stepper on replay', () => {
  it('back, forward and jump are exact: a step’s world is the same however it is reached', () => {
    const spec = { ...defaultSpec('bulk-transfer'), lossPct: 10, seed: 3 };
    const worlds = buildRun(spec);
    expect(worlds.length).toBeGreaterThan(40);
    let w: World = worlds[0]!;
    for (let k = 1; k < worlds.length; k++) {
      w = step(w);
      expect(w).toEqual(worlds[k]);
    }
    expect(step(w)).toBe(w);
    expect(buildRun(spec)).toEqual(worlds);
  });

  it('a learner’s choice forks the run: the past is shared, the recorded future replaced', () => {
    const spec = { ...defaultSpec('handshake'), learner: true };
    const waiting = buildRun(spec);
    const last = waiting.at(-1)!;
    expect(last.network.inFlight.length).toBeGreaterThan(0);
    const at = waiting.length - 1;
    const syn = last.network.inFlight[0]!.segment.id;
    const delivered = buildRun(intervene(spec, { at, kind: 'deliver', segmentId: syn }));
    expect(delivered.slice(0, at + 1)).toEqual(waiting);
    expect(delivered[at + 1]?.event.kind).toBe('deliver');
    expect(scenarioById('handshake')).toBeDefined();
  });
});
