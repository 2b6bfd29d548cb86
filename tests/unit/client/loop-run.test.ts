import { describe, expect, it } from 'vitest';
import {
  buildComparison,
  buildLoopRun,
  editSpec,
  inject,
  readLoopPermalink,
  restoreSpec,
  specProgram,
  writeLoopPermalink,
  type LoopSpec,
} from '../../../src/client/loop-run.ts';
import { programText } from '../../../src/client/loop-programs.ts';
import { MAX_SOURCE_CHARS, packSource, unpackSource } from '../../../src/client/source-link.ts';
import { fromSandbox } from '../../../src/core/select-loop/fromSandbox.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';

const spec = (fields: Partial<LoopSpec> = {}): LoopSpec => ({ program: 'selectors-server', scenario: 'three-clients', injections: [], ...fields });

describe('buildLoopRun', () => {
  it('runs a scenario until the program has nothing left to do, deterministically', () => {
    const worlds = buildLoopRun(spec()).worlds;
    expect(worlds.length).toBeGreaterThan(50);
    expect(buildLoopRun(spec()).worlds).toEqual(worlds);
    const last = worlds.at(-1)!;
    expect(last.kernel.peers.map((peer) => [peer.name, peer.received === peer.sent])).toEqual([
      ['A', true],
      ['B', true],
      ['C', true],
    ]);
  });

  it('replays an injected event where it was made, forking the run', () => {
    const plain = buildLoopRun(spec({ scenario: 'one-client' })).worlds;
    const at = 20;
    const forked = buildLoopRun(inject(spec({ scenario: 'one-client' }), at, { kind: 'connect', client: 'Z' })).worlds;
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
    const worlds = buildLoopRun(spec({ program: 'nonblocking-busy' })).worlds;
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
    const worlds = buildLoopRun(spec({ scenario: 'live' }), fromSandbox(events)).worlds;
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
  it('round-trip program, comparison, scenario, injections and step', async () => {
    const link = { spec: inject(spec({ compare: 'blocking-echo', scenario: 'slow-reader' }), 4, { kind: 'send', client: 'A', data: 'hi & bye\n' }), step: 9 };
    const params = new URLSearchParams();
    writeLoopPermalink(params, 'loop-x', link);
    expect(await readLoopPermalink(new URLSearchParams(params.toString()), 'loop-x', spec())).toEqual(link);
  });

  it('round-trip a reset and the sel.modify server', async () => {
    const link = { spec: inject(spec({ program: 'selectors-server-modify', scenario: 'one-client' }), 25, { kind: 'reset', client: 'A' }), step: 26 };
    const params = new URLSearchParams();
    writeLoopPermalink(params, 'loop-x', link);
    const back = await readLoopPermalink(new URLSearchParams(params.toString()), 'loop-x', spec());
    expect(back).toEqual(link);
    expect(buildLoopRun(back.spec).worlds[26]?.event).toMatchObject({ kind: 'injected', input: { kind: 'reset', client: 'A' } });
  });

  it('falls back to the widget’s own run for a foreign or broken link', async () => {
    const fallback = spec({ program: 'blocking-echo' });
    expect(await readLoopPermalink(new URLSearchParams(), 'loop-x', fallback)).toEqual({ spec: fallback, step: 0 });
    const broken = new URLSearchParams('loop-x.p=rm-rf&loop-x.step=5');
    expect(await readLoopPermalink(broken, 'loop-x', fallback)).toEqual({ spec: fallback, step: 0 });
    const badJson = new URLSearchParams('loop-x.p=selectors-server&loop-x.s=one-client&loop-x.do=%7Bnope&loop-x.step=3');
    expect(await readLoopPermalink(badJson, 'loop-x', fallback)).toEqual({ spec: { program: 'selectors-server', scenario: 'one-client', injections: [] }, step: 3 });
  });
});

/** The lesson 5 server, echoing in upper case: the edit the e2e test makes too. */
const upper = () => programText('selectors-server').replace('data.outb += recv_data', 'data.outb += recv_data.upper()');

describe('edited programs', () => {
  it('run instead of the lesson’s text, and the change shows in what clients receive', async () => {
    expect(upper()).not.toBe(programText('selectors-server'));
    const edited = await editSpec(spec({ scenario: 'one-client' }), 'program', upper());
    if (!edited.ok) throw new Error(edited.problem.message);
    expect(specProgram(edited.spec).source.join('\n')).toBe(upper());
    const peer = buildLoopRun(edited.spec).worlds.at(-1)!.kernel.peers[0]!;
    expect(peer).toMatchObject({ sent: 'hello\n', received: 'HELLO\n' });
    const lesson = buildLoopRun(spec({ scenario: 'one-client' })).worlds.at(-1)!.kernel.peers[0]!;
    expect(lesson.received).toBe('hello\n');
  });

  it('drop the old program’s injections, and restoring brings the lesson’s program back', async () => {
    const withInjection = inject(spec(), 5, { kind: 'connect', client: 'Z' });
    const edited = await editSpec(withInjection, 'program', upper());
    if (!edited.ok) throw new Error(edited.problem.message);
    expect(edited.spec.injections).toEqual([]);
    const restored = restoreSpec(edited.spec, 'program');
    expect(restored.source).toBeUndefined();
    expect(specProgram(restored).source.join('\n')).toBe(programText('selectors-server'));
  });

  it('edit either side of a comparison', async () => {
    const base = spec({ program: 'blocking-echo', compare: 'selectors-server', scenario: 'one-client' });
    const edited = await editSpec(base, 'compare', upper());
    if (!edited.ok) throw new Error(edited.problem.message);
    expect(edited.spec.source).toBeUndefined();
    const last = buildComparison(edited.spec)!.rows.at(-1)!;
    expect(last.right.kernel.peers[0]?.received).toBe('HELLO\n');
    expect(last.left.kernel.peers[0]?.received).toBe('hello\n');
    expect(restoreSpec(edited.spec, 'compare').compareSource).toBeUndefined();
  });

  it('that cannot run say where and why, and are not run', async () => {
    const broken = await editSpec(spec(), 'program', 'import socket\nwhile True\n    pass\n');
    expect(broken).toMatchObject({ ok: false, problem: { kind: 'syntax', line: 2 } });
    const unsupported = await editSpec(spec(), 'program', 'import socket\n\n@staticmethod\ndef main():\n    pass\n');
    expect(unsupported).toMatchObject({ ok: false, problem: { kind: 'unsupported', line: 3, col: 1 } });
  });

  it('that never block stop at the step cap, and the run says so', async () => {
    const edited = await editSpec(spec({ scenario: 'one-client' }), 'program', 'n = 0\nwhile True:\n    n += 1\n');
    if (!edited.ok) throw new Error(edited.problem.message);
    const run = buildLoopRun(edited.spec);
    expect(run.stop.reason).toBe('step-cap');
    expect(run.worlds.length).toBe(run.stop.steps + 1);
  });

  it('that raise end with CPython’s traceback, at the step it happened', async () => {
    const text = programText('selectors-server').replace('data.outb += recv_data', 'data.outb += recv_data + "!"');
    const edited = await editSpec(spec({ scenario: 'one-client' }), 'program', text);
    if (!edited.ok) throw new Error(edited.problem.message);
    const run = buildLoopRun(edited.spec);
    const at = run.worlds.findIndex((world) => world.tracebacks.length > 0);
    expect(at).toBeGreaterThan(0);
    const traceback = run.worlds[at]!.tracebacks[0]!;
    expect(traceback.type).toBe('TypeError');
    expect(traceback.text[0]).toBe('Traceback (most recent call last):');
    expect(traceback.text.at(-1)).toBe(`TypeError: ${traceback.message}`);
  });
});

describe('edited programs in links', () => {
  it('round-trip, compressed, with the step and the injections made on them', async () => {
    const edited = await editSpec(spec({ scenario: 'three-clients' }), 'program', upper());
    if (!edited.ok) throw new Error(edited.problem.message);
    const link = { spec: inject(edited.spec, 12, { kind: 'connect', client: 'Z' }), step: 40 };
    const params = new URLSearchParams();
    writeLoopPermalink(params, 'loop-x', link);
    const packed = params.get('loop-x.src')!;
    expect(packed.length).toBeLessThan(new URLSearchParams({ s: upper() }).toString().length / 2);
    expect(packed).toMatch(/^[A-Za-z0-9_-]+$/);
    const back = await readLoopPermalink(new URLSearchParams(params.toString()), 'loop-x', spec());
    expect(back).toEqual(link);
    expect(buildLoopRun(back.spec).worlds).toEqual(buildLoopRun(link.spec).worlds);
  });

  it('leave the address alone when nothing is edited', () => {
    const params = new URLSearchParams('loop-x.src=stale');
    writeLoopPermalink(params, 'loop-x', { spec: spec(), step: 3 });
    expect(params.has('loop-x.src')).toBe(false);
  });

  it('that were cut short, altered or are too long open the lesson’s program and say why', async () => {
    const packed = await packSource(upper());
    const cut = new URLSearchParams({ 'loop-x.p': 'selectors-server', 'loop-x.s': 'one-client', 'loop-x.src': packed.slice(0, packed.length / 2), 'loop-x.step': '7' });
    const read = await readLoopPermalink(cut, 'loop-x', spec());
    expect(read.spec.source).toBeUndefined();
    expect(read.refused).toEqual({ side: 'program', why: 'malformed' });
    expect(read.step).toBe(7);
    const junk = new URLSearchParams({ 'loop-x.p': 'selectors-server', 'loop-x.src': '%%%' });
    expect((await readLoopPermalink(junk, 'loop-x', spec())).refused).toEqual({ side: 'program', why: 'malformed' });
    const huge = await packSource('#'.repeat(MAX_SOURCE_CHARS + 1));
    const long = new URLSearchParams({ 'loop-x.p': 'selectors-server', 'loop-x.src': huge });
    expect((await readLoopPermalink(long, 'loop-x', spec())).refused).toEqual({ side: 'program', why: 'too-long' });
  });

  it('that do not run come back as text with the problem, for the editor', async () => {
    const text = 'import socket\nsock = socket.socket(\n';
    const params = new URLSearchParams({ 'loop-x.p': 'selectors-server', 'loop-x.src': await packSource(text) });
    const read = await readLoopPermalink(params, 'loop-x', spec());
    expect(read.refused).toMatchObject({ side: 'program', why: 'problem', text, problem: { kind: 'syntax' } });
    expect(read.spec.source).toBeUndefined();
  });
});

describe('packSource', () => {
  it('round-trips any text, including characters outside ASCII', async () => {
    for (const text of ['', 'print("héllo ✓")\n', programText('chat-server')]) {
      expect(await unpackSource(await packSource(text))).toEqual({ ok: true, text });
    }
  });

  it('refuses a zip bomb before inflating all of it', async () => {
    const bomb = await packSource('a'.repeat(5_000_000));
    expect(bomb.length).toBeLessThan(16_000);
    expect(await unpackSource(bomb)).toEqual({ ok: false, why: 'too-long' });
  });
});
