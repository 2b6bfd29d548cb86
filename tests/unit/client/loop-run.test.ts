import { describe, expect, it } from 'vitest';
import { buildComparison, buildLoopRun, inject, readLoopPermalink, writeLoopPermalink, type LoopSpec } from '../../../src/client/loop-run.ts';
import { fromSandbox } from '../../../src/core/select-loop/fromSandbox.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';

const spec = (fields: Partial<LoopSpec> = {}): LoopSpec => ({ program: 'selectors-server', scenario: 'three-clients', injections: [], ...fields });

describe('buildLoopRun', () => {
  it('runs a scenario until the program has nothing left to do, deterministically', () => {
    const worlds = buildLoopRun(spec());
    expect(worlds.length).toBeGreaterThan(50);
    expect(buildLoopRun(spec())).toEqual(worlds);
    const last = worlds.at(-1)!;
    expect(last.kernel.peers.map((peer) => [peer.name, peer.received === peer.sent])).toEqual([
      ['A', true],
      ['B', true],
      ['C', true],
    ]);
  });

  it('replays an injected event where it was made, forking the run', () => {
    const plain = buildLoopRun(spec({ scenario: 'one-client' }));
    const at = 20;
    const forked = buildLoopRun(inject(spec({ scenario: 'one-client' }), at, { kind: 'connect', client: 'Z' }));
    expect(forked.slice(0, at + 1)).toEqual(plain.slice(0, at + 1));
    expect(forked[at + 1]?.event.kind).toBe('injected');
    expect(forked.at(-1)?.kernel.peers.some((peer) => peer.name === 'Z')).toBe(true);
  });

  it('keeps only the injections before a new one', () => {
    let run = inject(spec(), 30, { kind: 'connect', client: 'Z' });
    run = inject(run, 10, { kind: 'connect', client: 'Y' });
    expect(run.injections).toEqual([{ at: 10, input: { kind: 'connect', client: 'Y' } }]);
  });

  it('runs a busy loop only as far as the cap allows, never forever', () => {
    const worlds = buildLoopRun(spec({ program: 'nonblocking-busy' }));
    expect(worlds.length).toBeLessThanOrEqual(3001);
    expect(worlds.at(-1)!.counters.wastedTries).toBeGreaterThan(0);
  });

  it('can be driven by the sandbox’s real events instead of the scenario', () => {
    const base = { seq: 0, t: 0, role: 'client', origin: 'terminal', server: 'echo' } as const;
    const events: SocketEvent[] = [
      { ...base, kind: 'connect', socket: 's2', remote: '127.0.0.1:4000' },
      { ...base, kind: 'connected', socket: 's2', local: '127.0.0.1:50000', remote: '127.0.0.1:4000' },
      { ...base, kind: 'write', socket: 's2', bytes: 6, preview: 'hello\\n' },
      { ...base, kind: 'shutdown', socket: 's2' },
    ];
    const worlds = buildLoopRun(spec({ scenario: 'live' }), fromSandbox(events));
    const peer = worlds.at(-1)!.kernel.peers[0];
    expect(peer).toMatchObject({ name: 's2', sent: 'hello\n', received: 'hello\n', finSent: true });
  });
});

describe('buildComparison', () => {
  it('lines two programs up by network input, so the blocked client shows', () => {
    const comparison = buildComparison(spec({ program: 'blocking-echo', compare: 'selectors-server' }))!;
    expect(comparison.rows.length).toBeGreaterThan(3);
    // After "B connects", the blocking server has B's connection queued but not accepted.
    const row = comparison.rows.find((candidate) => candidate.input?.kind === 'connect' && candidate.input.client === 'B')!;
    const queued = row.left.kernel.sockets.flatMap((socket) => (socket.kind === 'listening' ? socket.acceptQueue : []));
    expect(queued.length).toBe(1);
    const selectorsQueued = row.right.kernel.sockets.flatMap((socket) => (socket.kind === 'listening' ? socket.acceptQueue : []));
    expect(selectorsQueued).toEqual([]);
  });

  it('is absent without a second program', () => {
    expect(buildComparison(spec())).toBeUndefined();
  });
});

describe('loop permalinks', () => {
  it('round-trip program, comparison, scenario, injections and step', () => {
    const link = { spec: inject(spec({ compare: 'blocking-echo', scenario: 'slow-reader' }), 4, { kind: 'send', client: 'A', data: 'hi & bye\n' }), step: 9 };
    const params = new URLSearchParams();
    writeLoopPermalink(params, 'loop-x', link);
    expect(readLoopPermalink(new URLSearchParams(params.toString()), 'loop-x', spec())).toEqual(link);
  });

  it('round-trip a reset and the sel.modify server', () => {
    const link = { spec: inject(spec({ program: 'selectors-server-modify', scenario: 'one-client' }), 25, { kind: 'reset', client: 'A' }), step: 26 };
    const params = new URLSearchParams();
    writeLoopPermalink(params, 'loop-x', link);
    const back = readLoopPermalink(new URLSearchParams(params.toString()), 'loop-x', spec());
    expect(back).toEqual(link);
    expect(buildLoopRun(back.spec)[26]?.event).toMatchObject({ kind: 'injected', input: { kind: 'reset', client: 'A' } });
  });

  it('falls back to the widget’s own run for a foreign or broken link', () => {
    const fallback = spec({ program: 'blocking-echo' });
    expect(readLoopPermalink(new URLSearchParams(), 'loop-x', fallback)).toEqual({ spec: fallback, step: 0 });
    const broken = new URLSearchParams('loop-x.p=rm-rf&loop-x.step=5');
    expect(readLoopPermalink(broken, 'loop-x', fallback)).toEqual({ spec: fallback, step: 0 });
    const badJson = new URLSearchParams('loop-x.p=selectors-server&loop-x.s=one-client&loop-x.do=%7Bnope&loop-x.step=3');
    expect(readLoopPermalink(badJson, 'loop-x', fallback)).toEqual({ spec: { program: 'selectors-server', scenario: 'one-client', injections: [] }, step: 3 });
  });
});
