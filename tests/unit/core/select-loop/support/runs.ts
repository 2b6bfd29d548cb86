import { expect } from 'vitest';
import type { LoopInput, LoopOptions, LoopWorld, ProgramId } from '../../../../../src/core/select-loop/index.ts';
import { EVENT_READ, EVENT_WRITE, SCENARIOS, createLoop, findSocket, isSettled, possibleInputs, readiness, stepLoop } from '../../../../../src/core/select-loop/index.ts';
import { programById } from '../../../../../src/client/loop-programs.ts';
import type { Rng } from '../../../../../src/core/rng.ts';
import { createRng, seedRng } from '../../../../../src/core/rng.ts';

/** A course program's first world in a scenario. */
export function loop(programId: ProgramId, scenarioId: string, options: LoopOptions = {}): LoopWorld {
  return createLoop(programById(programId), scenarioId, options);
}

/** Steps until every scheduled input is used and the program only waits or spins. */
export function settle(w: LoopWorld, maxSteps = 20_000): LoopWorld[] {
  const out = [w];
  let cur = w;
  for (let i = 0; i < maxSteps && !isSettled(cur); i++) {
    const next = stepLoop(cur);
    if (next === cur) break;
    out.push(next);
    cur = next;
  }
  return out;
}

export function last<T>(xs: readonly T[]): T {
  const x = xs[xs.length - 1];
  if (x === undefined) throw new Error('empty');
  return x;
}

/** Every (scenario, program) pair a scenario was written for. */
export const SUITED: readonly { readonly scenarioId: string; readonly programId: ProgramId }[] = SCENARIOS.flatMap((s) =>
  s.programs.map((programId) => ({ scenarioId: s.id, programId })),
);

export function firstWhere(worlds: readonly LoopWorld[], pred: (w: LoopWorld) => boolean): LoopWorld | undefined {
  return worlds.find(pred);
}

function randomBytes(rng: Rng): string {
  const alphabet = 'abcdefghij XYZ\n';
  let out = '';
  const n = 1 + rng.int(40);
  for (let i = 0; i < n; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}

/** A seeded random mix of steps and injected inputs, including slow readers and partial drains. */
export function randomRun(programId: ProgramId, scenarioId: string, seed: number, length: number, sendBuffer = 24): LoopWorld[] {
  const rng = createRng(seedRng(seed));
  let w = loop(programId, scenarioId, { sendBuffer });
  const out = [w];
  const names = ['P', 'Q', 'R', 'S'];
  for (let i = 0; i < length; i++) {
    let next = w;
    if (rng.chance(0.15)) {
      const menu: LoopInput[] = [...possibleInputs(w)];
      const fresh = names.find((n) => !w.kernel.peers.some((p) => p.name === n));
      if (programById(programId).role === 'server' && fresh !== undefined) menu.push({ kind: 'connect', client: fresh, slowReader: rng.chance(0.5) });
      for (const p of w.kernel.peers) menu.push({ kind: 'drain', client: p.name, bytes: 1 + rng.int(12) });
      const pick = menu[rng.int(menu.length)];
      // Closes and resets are rarer than sends, so connections live long enough to carry traffic;
      // a reset ends the blocking server by design (its own scenario shows that), so it is left out there.
      const rare = pick?.kind === 'close' || pick?.kind === 'reset';
      const allowed = pick !== undefined && !(pick.kind === 'reset' && programId === 'blocking-echo');
      if (pick !== undefined && allowed && (!rare || rng.chance(0.25))) {
        const input: LoopInput = pick.kind === 'send' ? { ...pick, data: randomBytes(rng) } : pick;
        next = stepLoop(w, input);
      }
    }
    if (next === w) next = stepLoop(w);
    if (next === w) continue;
    out.push(next);
    w = next;
  }
  return out;
}

/** Checks one world against the rules every world must keep. */
export function checkWorld(w: LoopWorld, prev: LoopWorld | undefined): void {
  const k = w.kernel;
  for (const p of k.peers) {
    // A reset throws buffered bytes away, as Linux does; there is nothing left to account for.
    if (p.state === 'reset') continue;
    const s = p.socket === undefined ? undefined : findSocket(k, p.socket);
    const conn = s?.kind === 'connected' ? s : undefined;
    // Nothing lost or duplicated on the way in: what the peer sent is what the program read, then what still waits.
    expect(p.readByProgram + (conn?.recvBuffer ?? '')).toBe(p.sent);
    // Nor on the way out: what the program handed over is what the peer read, then what it has not read yet.
    expect(p.received + (conn?.sendBuffer ?? '')).toBe(p.writtenByProgram);
    if (conn !== undefined) expect(conn.sendBuffer.length).toBeLessThanOrEqual(conn.sendCapacity);
  }
  const fds = k.sockets.flatMap((s) => (s.fd === undefined ? [] : [s.fd]));
  expect(new Set(fds).size).toBe(fds.length);
  for (const fd of fds) expect(fd).toBeGreaterThanOrEqual(3);
  for (const r of w.selector?.registry ?? []) {
    // A registered fd is always an open socket: close() never happens before unregister().
    expect(findSocket(k, r.sock)?.fd).toBe(r.fd);
  }
  const selected = w.selector?.lastSelect;
  if (selected !== undefined && selected !== prev?.selector?.lastSelect) {
    // Only a select() with a timeout (asyncio's loop polls with 0 while callbacks are ready) may return nothing.
    const timed = w.event.calls?.some((c) => c.call === 'select' && c.args !== undefined && c.args[0] !== 'None') === true;
    if (!timed) expect(selected.length).toBeGreaterThan(0);
    for (const r of selected) {
      const now = readiness(k, r.sock);
      const reg = w.selector?.registry.find((x) => x.sock === r.sock);
      expect(reg).toBeDefined();
      if (r.mask & EVENT_READ) expect(now.readable).toBe(true);
      if (r.mask & EVENT_WRITE) expect(now.writable).toBe(true);
      expect(r.mask & ~(reg?.mask ?? 0)).toBe(0);
    }
  }
  const lines = w.program.module.stepLines;
  for (const t of w.threads) expect(lines.has(t.line)).toBe(true);
  if (prev !== undefined) {
    expect(w.step).toBe(prev.step + 1);
    expect(w.counters.wastedTries).toBeGreaterThanOrEqual(prev.counters.wastedTries);
    expect(w.output.slice(0, prev.output.length)).toEqual(prev.output);
  }
}

export function checkRun(worlds: readonly LoopWorld[]): void {
  worlds.forEach((w, i) => checkWorld(w, worlds[i - 1]));
}
