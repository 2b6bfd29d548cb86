import { describe, expect, it } from 'vitest';
import type { Knobs, Transition, World } from '../../../../src/core/tcp/index.ts';
import { FIGURE_EDGES, SCENARIOS, STATE_EDGES, TCP_STATES, findEdge } from '../../../../src/core/tcp/index.ts';
import { directTransitions } from './support/edges.ts';
import { events, run } from './support/worlds.ts';

const key = (from: string, to: string) => `${from} → ${to}`;

/** Every scenario under both SYN schedules, plus lossy runs, so rarer paths are walked too. */
const KNOBS: readonly Partial<Knobs>[] = [
  {},
  { synBackoff: 'exponential' },
  ...[3, 11, 19, 42].map((seed) => ({ seed, loss: 0.2, latency: 30_000 })),
];

const runs: { id: string; worlds: World[] }[] = SCENARIOS.flatMap((s) => KNOBS.map((knobs) => ({ id: s.id, worlds: run(s.create(knobs)) })));

function transitionsOf(worlds: readonly World[]): Transition[] {
  return events(worlds).flatMap((e) => ('transition' in e && e.transition ? [e.transition] : []));
}

/** Each TCB's states in order, step by step, keyed by which socket it is. */
function statePaths(worlds: readonly World[]): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  for (const e of events(worlds)) {
    if (!('transition' in e) || e.transition === undefined) continue;
    const id = e.host.side === 'client' ? `client ${e.host.index}` : `server ${e.host.remotePort ?? 'socket'}`;
    const path = paths.get(id) ?? [e.transition.from];
    expect(path.at(-1), `${id}: a transition starts where the last one ended`).toBe(e.transition.from);
    path.push(...e.transition.hops.map((hop) => hop.to));
    paths.set(id, path);
  }
  return paths;
}

describe('state diagram data', () => {
  it('has the 11 states and the 20 arrows of RFC 9293 Figure 5, each between a distinct pair', () => {
    expect(TCP_STATES).toHaveLength(11);
    expect(FIGURE_EDGES).toHaveLength(20);
    expect(new Set(FIGURE_EDGES.map((e) => key(e.from, e.to))).size).toBe(20);
    for (const e of STATE_EDGES) {
      expect(TCP_STATES).toContain(e.from);
      expect(TCP_STATES).toContain(e.to);
      expect(e.label).toMatch(/\S/);
    }
  });

  it('finds the edge by cause, falling back to the drawn arrow', () => {
    expect(findEdge('SYN-SENT', 'CLOSED', 'app')?.label).toBe('CLOSE / delete TCB');
    expect(findEdge('SYN-SENT', 'CLOSED', 'segment')?.inFigure).toBe(false);
    expect(findEdge('LISTEN', 'SYN-RECEIVED')?.label).toBe('rcv SYN / snd SYN,ACK');
    expect(findEdge('CLOSED', 'TIME-WAIT')).toBeUndefined();
  });

  it('labels ABORT by §3.10.5, not by Figure 5 note 3 (which is about received resets)', () => {
    const aborts = STATE_EDGES.filter((e) => e.cause === 'app' && e.label.startsWith('ABORT'));
    expect(aborts.length).toBeGreaterThan(0);
    for (const e of aborts) {
      expect(e.label).toContain('§3.10.5');
      expect(e.label).not.toContain('note 3');
    }
  });

  it('in every scenario each step of each socket walks an edge of the diagram (Figure 5 or its notes)', () => {
    const edges = new Set(STATE_EDGES.map((e) => key(e.from, e.to)));
    for (const { id, worlds } of runs) {
      for (const t of transitionsOf(worlds)) {
        expect(t.hops.length, id).toBeGreaterThan(0);
        expect(t.hops[0]?.from, id).toBe(t.from);
        expect(t.hops.at(-1)?.to, id).toBe(t.to);
        for (const hop of t.hops) {
          expect(hop.edge, `${id}: ${key(hop.from, hop.to)}`).toBeDefined();
          expect(key(hop.edge!.from, hop.edge!.to)).toBe(key(hop.from, hop.to));
        }
      }
      for (const [socket, path] of statePaths(worlds)) {
        for (let i = 1; i < path.length; i++) expect(edges.has(key(path[i - 1]!, path[i]!)), `${id}, ${socket}: ${path.join(' → ')}`).toBe(true);
      }
    }
  });

  it('never skips a drawn arrow: a lost handshake ACK then the FIN goes SYN-RECEIVED → ESTABLISHED → CLOSE-WAIT', () => {
    const walked = runs.flatMap(({ worlds }) => transitionsOf(worlds));
    expect(walked.some((t) => t.from === 'SYN-RECEIVED' && t.to === 'CLOSE-WAIT')).toBe(true);
    for (const t of walked.filter((t) => t.from === 'SYN-RECEIVED' && t.to === 'CLOSE-WAIT')) {
      expect(t.hops.map((hop) => hop.to)).toEqual(['ESTABLISHED', 'CLOSE-WAIT']);
    }
  });

  it('the scenarios alone walk all 20 arrows of Figure 5 with their default knobs', () => {
    const walked = new Set(
      runs.filter((_, i) => i % KNOBS.length === 0).flatMap(({ worlds }) => transitionsOf(worlds).flatMap((t) => t.hops.map((hop) => key(hop.from, hop.to)))),
    );
    expect(FIGURE_EDGES.map((e) => key(e.from, e.to)).filter((k) => !walked.has(k))).toEqual([]);
  });

  it('every transition of the direct endpoint runs names an edge that exists', () => {
    for (const t of directTransitions()) for (const hop of t.hops) expect(hop.edge, key(hop.from, hop.to)).toBeDefined();
  });

  it('every scenario starts with the server already in LISTEN, before any client calls connect()', () => {
    for (const s of SCENARIOS) {
      const worlds = run(s.create());
      const start = worlds[0]!;
      expect(start.server.listener.socket.state, s.id).toBe('LISTEN');
      expect(start.event).toMatchObject({ kind: 'start', transition: { from: 'CLOSED', to: 'LISTEN' } });
      expect(start.clients.every((c) => c.endpoint.state === 'CLOSED'), s.id).toBe(true);
      const firstConnect = events(worlds).findIndex((e) => e.kind === 'app' && e.call.op === 'connect');
      expect(firstConnect, s.id).toBeGreaterThan(0);
    }
  });
});
