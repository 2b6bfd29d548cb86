import { describe, expect, it } from 'vitest';
import type { ProgramId } from '../../../../src/core/select-loop/index.ts';
import { findSocket, scenarioById, scenariosFor } from '../../../../src/core/select-loop/index.ts';
import { PROGRAMS } from '../../../../src/client/loop-programs.ts';
import { SUITED, checkRun, last, randomRun, settle, loop } from './support/runs.ts';

const ECHOES: readonly ProgramId[] = ['blocking-echo', 'nonblocking-busy', 'selectors-server', 'selectors-server-modify'];

describe('invariants over every scenario and the programs it suits', () => {
  it.each(SUITED)('$programId × $scenarioId: no byte lost or duplicated, registry and select() consistent', ({ programId, scenarioId }) => {
    const worlds = settle(loop(programId, scenarioId));
    checkRun(worlds);
    const end = last(worlds);
    expect(end.nextInput).toBe(end.schedule.length);
    for (const p of end.kernel.peers) {
      if (p.kind === 'client' && p.state !== 'reset' && ECHOES.includes(programId) && !(programId === 'blocking-echo' && scenarioId === 'client-resets')) {
        // Every client closed only after the server had echoed all it sent, and it read everything.
        expect(p.received).toBe(p.sent);
        expect(p.finReceived).toBe(true);
      }
    }
    // Closed connections are gone from both the kernel's table and the selector.
    for (const r of end.selector?.registry ?? []) expect(findSocket(end.kernel, r.sock)).toBeDefined();
  });

  it('scenarios list only programs that exist', () => {
    const ids = PROGRAMS.map((p) => p.id);
    for (const { programId } of SUITED) expect(ids).toContain(programId);
    expect(scenarioById('slow-reader').sendBuffer).toBe(16);
  });
});

describe('invariants under seeded random injected inputs', () => {
  const cases = PROGRAMS.flatMap((p) => [1, 2, 3, 4].map((seed) => ({ programId: p.id, seed })));
  it.each(cases)('$programId, seed $seed', ({ programId, seed }) => {
    // A client program runs against the simulated server of its own first scenario.
    const scenarioId = PROGRAMS.find((p) => p.id === programId)?.role === 'client' ? (scenariosFor(programId)[0]?.id ?? 'live') : 'live';
    const worlds = randomRun(programId, scenarioId, seed, 1_500);
    // A client that finishes by itself (the timeout client) makes a short run; every other program keeps going.
    expect(worlds.length > 30 || last(worlds).exited).toBe(true);
    checkRun(worlds);
  });

  it('the same seed gives the same trace', () => {
    const a = randomRun('selectors-server', 'live', 42, 800);
    const b = randomRun('selectors-server', 'live', 42, 800);
    expect(b).toEqual(a);
    expect(randomRun('chat-server', 'live', 42, 800)).toEqual(randomRun('chat-server', 'live', 42, 800));
  });
});
