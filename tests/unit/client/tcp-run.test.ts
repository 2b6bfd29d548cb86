import { describe, expect, it } from 'vitest';
import { buildRun, defaultSpec, intervene, readPermalink, writePermalink, type RunSpec } from '../../../src/client/tcp-run.ts';
import { SCENARIOS } from '../../../src/core/tcp/index.ts';

describe('buildRun', () => {
  it('runs every scenario to its end, deterministically', () => {
    for (const scenario of SCENARIOS) {
      const spec = defaultSpec(scenario.id);
      const first = buildRun(spec);
      expect(first.length, scenario.id).toBeGreaterThan(2);
      expect(buildRun(spec)).toEqual(first);
    }
  });

  it('replays "drop the next segment" where the learner pressed it', () => {
    const spec = intervene(defaultSpec('handshake'), { at: 0, kind: 'arm-drop' });
    const worlds = buildRun(spec);
    const drop = worlds.find((world) => world.event.kind === 'drop');
    expect(drop?.event.kind === 'drop' && drop.event.segment.flags.SYN).toBe(true);
    // The SYN is retransmitted after the 1 s RTO, and the handshake still completes.
    expect(worlds.some((world) => world.event.kind === 'timer' && world.event.timer === 'retransmit')).toBe(true);
    expect(worlds.at(-1)?.clients[0]?.endpoint.state).toBe('ESTABLISHED');
  });

  it('in learner mode waits for a choice, and a choice forks the run', () => {
    const learner: RunSpec = { ...defaultSpec('handshake'), learner: true };
    const waiting = buildRun(learner);
    const last = waiting.at(-1)!;
    expect(last.network.inFlight.map((item) => item.segment.flags.SYN)).toEqual([true]);
    const syn = last.network.inFlight[0]!.segment;
    const delivered = buildRun(intervene(learner, { at: waiting.length - 1, kind: 'deliver', segmentId: syn.id }));
    expect(delivered.length).toBeGreaterThan(waiting.length);
    expect(delivered[waiting.length]?.event.kind).toBe('deliver');
    // Letting time pass takes one step that delivers nothing; the SYN is still waiting after it.
    const waited = buildRun(intervene(learner, { at: waiting.length - 1, kind: 'wait' }));
    expect(waited).toHaveLength(waiting.length + 1);
    expect(waited.at(-1)?.event.kind).not.toBe('deliver');
    expect(waited.at(-1)?.network.inFlight.map((item) => item.segment.id)).toContain(syn.id);
  });

  it('forgets interventions after the step where the run forks', () => {
    let spec = intervene(defaultSpec('handshake'), { at: 5, kind: 'arm-drop' });
    spec = intervene(spec, { at: 2, kind: 'arm-drop' });
    expect(spec.interventions).toEqual([{ at: 2, kind: 'arm-drop' }]);
  });
});

describe('the SYN retries knob', () => {
  it('defaults to Linux 6.5 and later and switches the lost-SYN run to RFC 6298 doubling', () => {
    const synTimes = (spec: RunSpec) =>
      buildRun(spec).flatMap((w) => ('sent' in w.event ? w.event.sent.filter((s) => s.flags.SYN && !s.flags.ACK).map(() => w.event.at) : []));
    expect(defaultSpec('lost-syn').synBackoff).toBe('linear-then-exponential');
    expect(synTimes(defaultSpec('lost-syn'))).toEqual([0, 1e6, 2e6]);
    expect(synTimes({ ...defaultSpec('lost-syn'), synBackoff: 'exponential' })).toEqual([0, 1e6, 3e6]);
  });
});

describe('permalinks', () => {
  it('round-trip a run with knobs, interventions, step and number style under a prefix', () => {
    const spec: RunSpec = {
      scenario: 'lost-syn-ack',
      latencyMs: 200,
      lossPct: 10,
      seed: 42,
      learner: true,
      synBackoff: 'exponential',
      interventions: [
        { at: 1, kind: 'arm-drop' },
        { at: 2, kind: 'wait' },
        { at: 3, kind: 'deliver', segmentId: 2 },
        { at: 4, kind: 'drop', segmentId: 3 },
      ],
    };
    const params = new URLSearchParams('other=1');
    writePermalink(params, 'tcp-a', { spec, step: 4, absolute: true });
    expect(params.get('other')).toBe('1');
    expect(params.get('tcp-a.do')).toBe('1a.2w.3d2.4x3');
    expect(params.get('tcp-a.syn')).toBe('rfc');
    expect(readPermalink(new URLSearchParams(params.toString()), 'tcp-a', 'handshake')).toEqual({ spec, step: 4, absolute: true });
  });

  it('keeps two steppers apart', () => {
    const params = new URLSearchParams();
    writePermalink(params, 'one', { spec: defaultSpec('abort'), step: 2, absolute: false });
    writePermalink(params, 'two', { spec: defaultSpec('half-close'), step: 7, absolute: false });
    expect(readPermalink(params, 'one', 'handshake').spec.scenario).toBe('abort');
    expect(readPermalink(params, 'two', 'handshake')).toMatchObject({ step: 7, spec: { scenario: 'half-close' } });
  });

  it('falls back to defaults for anything malformed', () => {
    const bad = new URLSearchParams('x.s=teleport&x.lat=-5&x.step=abc&x.do=zz');
    expect(readPermalink(bad, 'x', 'handshake')).toEqual({ spec: defaultSpec('handshake'), step: 0, absolute: false });
    const badIntervention = new URLSearchParams('x.s=abort&x.do=1a.nonsense');
    expect(readPermalink(badIntervention, 'x', 'handshake').spec).toMatchObject({ scenario: 'abort', interventions: [] });
  });
});
