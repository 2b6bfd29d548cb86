import { describe, expect, it } from 'vitest';
import { buildRun, defaultSpec } from '../../../src/client/tcp-run.ts';
import { itemAt, moveForKey, refOf, rowOf, step, type ItemRef, type Move } from '../../../src/viz/sequence-focus.ts';
import type { Arrow, Lane, Mark, SequenceModel } from '../../../src/viz/sequence-model.ts';
import { buildTcpSequenceModel } from '../../../src/viz/tcp-sequence-model.ts';

const lane = (id: string): Lane => ({ id, kind: id === 'server' ? 'server' : 'client', title: id, connection: 0, firstRow: 0 });
const arrow = (id: string, from: string, to: string, startRow: number): Arrow => ({
  id,
  kind: 'data',
  from,
  to,
  startRow,
  endRow: startRow + 1,
  label: id,
  reconstructed: false,
  events: [],
  description: id,
});
const mark = (id: string, laneId: string, row: number): Mark => ({ id, lane: laneId, row, label: id, tone: 'call', events: [] });

/**
 * Lanes client | server. Arrows are listed out of reading order (a2 starts before a1), as a live
 * model lists a write whose bytes were read late; marks share rows with arrows.
 */
const model: SequenceModel = {
  lanes: [lane('client'), lane('server')],
  arrows: [arrow('a0', 'client', 'server', 1), arrow('a1', 'server', 'client', 3), arrow('a2', 'client', 'server', 2)],
  marks: [mark('m0', 'server', 0), mark('m1', 'client', 0), mark('m2', 'client', 1), mark('m3', 'server', 3)],
  rows: [0, 1, 2, 3, 4].map((t) => ({ t })),
  listeners: [],
};

/** Every id visited by repeating a move from a start until it stays put. */
function walk(from: ItemRef | undefined, move: Move): string[] {
  const ids: string[] = [];
  let at = from;
  for (let i = 0; i < 20; i++) {
    const next = step(model, at, move);
    if (next === undefined || (at !== undefined && next.kind === at.kind && next.index === at.index)) break;
    ids.push(itemAt(model, next)!.id);
    at = next;
  }
  return ids;
}

describe('roving focus in a sequence diagram', () => {
  it('reads row by row, left to right across the lanes, a mark before an arrow leaving its lane', () => {
    const first = step(model, undefined, 'first');
    expect(itemAt(model, first)?.id).toBe('m1');
    expect(['m1', ...walk(first, 'next')]).toEqual(['m1', 'm0', 'm2', 'a0', 'a2', 'm3', 'a1']);
  });

  it('walks back the same way, and stops at either end', () => {
    const last = step(model, undefined, 'last');
    expect(itemAt(model, last)?.id).toBe('a1');
    expect(walk(last, 'previous')).toEqual(['m3', 'a2', 'a0', 'm2', 'm0', 'm1']);
    expect(step(model, last, 'next')).toEqual(last);
    expect(step(model, { kind: 'mark', index: 1 }, 'previous')).toEqual({ kind: 'mark', index: 1 });
  });

  it('from a position the model no longer has, lands on the last item; an empty model has none', () => {
    expect(itemAt(model, step(model, { kind: 'arrow', index: 9 }, 'next'))?.id).toBe('a1');
    expect(itemAt(model, step(model, { kind: 'arrow', index: 9 }, 'first'))?.id).toBe('m1');
    const empty: SequenceModel = { lanes: [], arrows: [], marks: [], rows: [], listeners: [] };
    expect(step(empty, undefined, 'next')).toBeUndefined();
    expect(step(empty, undefined, 'last')).toBeUndefined();
  });

  it('finds an item by identity or, in a rebuilt model, by id', () => {
    expect(refOf(model, model.arrows[2]!)).toEqual({ kind: 'arrow', index: 2 });
    expect(refOf(model, { ...model.marks[3]! })).toEqual({ kind: 'mark', index: 3 });
    expect(refOf(model, mark('gone', 'client', 0))).toBeUndefined();
    expect(rowOf(model.arrows[1]!)).toBe(3);
  });

  it('maps both pairs of arrow keys, Home and End, and nothing else', () => {
    expect(['ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowLeft', 'Home', 'End'].map(moveForKey)).toEqual([
      'next',
      'next',
      'previous',
      'previous',
      'first',
      'last',
    ]);
    expect(moveForKey('Enter')).toBeUndefined();
    expect(moveForKey('toString')).toBeUndefined();
  });

  it('visits every segment and mark of a stepped handshake once, in step order', () => {
    const worlds = buildRun(defaultSpec('handshake'));
    const tcp = buildTcpSequenceModel(worlds, worlds.length - 1, false);
    const seen: (Arrow | Mark)[] = [];
    let at = step(tcp, undefined, 'first');
    for (;;) {
      seen.push(itemAt(tcp, at)!);
      const next = step(tcp, at, 'next');
      if (next?.kind === at?.kind && next?.index === at?.index) break;
      at = next;
    }
    expect(seen).toHaveLength(tcp.arrows.length + tcp.marks.length);
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    const rows = seen.map(rowOf);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
  });
});
