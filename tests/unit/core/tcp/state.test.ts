import { describe, expect, it } from 'vitest';
import type { Transition } from '../../../../src/core/tcp/index.ts';
import { FIGURE_EDGES, SCENARIOS, STATE_EDGES, TCP_STATES, findEdge } from '../../../../src/core/tcp/index.ts';
import { directTransitions } from './support/edges.ts';
import { events, run } from './support/worlds.ts';

const key = (from: string, to: string) => `${from} → ${to}`;

function scenarioTransitions(): Transition[] {
  return SCENARIOS.flatMap((s) => events(run(s.create())).flatMap((e) => ('transition' in e && e.transition ? [e.transition] : [])));
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

  it('every transition taken names an edge that exists, and every Figure 5 edge (plus note 2) is taken', () => {
    const taken = [...scenarioTransitions(), ...directTransitions()];
    for (const t of taken) {
      expect(t.edge, key(t.from, t.to)).toBeDefined();
      expect(t.edge?.from).toBe(t.from);
      expect(t.edge?.to).toBe(t.to);
    }
    const seen = new Set(taken.map((t) => key(t.from, t.to)));
    const missing = [...FIGURE_EDGES, findEdge('FIN-WAIT-1', 'TIME-WAIT')!].filter((e) => !seen.has(key(e.from, e.to)));
    expect(missing.map((e) => key(e.from, e.to))).toEqual([]);
  });

  it('scenarios alone take most of the figure; the rest come from direct endpoint runs', () => {
    const fromScenarios = new Set(scenarioTransitions().map((t) => key(t.from, t.to)));
    const figure = FIGURE_EDGES.map((e) => key(e.from, e.to));
    expect(figure.filter((k) => fromScenarios.has(k)).length).toBeGreaterThanOrEqual(14);
  });
});
