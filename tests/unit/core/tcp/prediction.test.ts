import { describe, expect, it } from 'vitest';
import type { World } from '../../../../src/core/tcp/index.ts';
import { classify, flags, predictNext, scenarioById, step } from '../../../../src/core/tcp/index.ts';

const start = (id: string) => scenarioById(id)!.create();

function until(w: World, pred: (w: World) => boolean): World {
  let cur = w;
  for (let i = 0; i < 500 && !pred(cur); i++) cur = step(cur);
  return cur;
}

describe('predict the next segment', () => {
  it('connect() sends a SYN; the SYN draws a SYN-ACK; the SYN-ACK draws an ACK', () => {
    const p1 = predictNext(start('handshake'))!;
    expect(p1.answer).toBe('SYN');
    expect(p1.choices).toContain('SYN-ACK');
    expect(start('handshake').server.listener.socket.state).toBe('LISTEN');
    const atSyn = until(start('handshake'), (w) => w.network.inFlight.length === 1);
    expect(predictNext(atSyn)?.answer).toBe('SYN-ACK');
    const atSynAck = until(start('handshake'), (w) => w.server.listener.connections.length === 1);
    const p3 = predictNext(atSynAck)!;
    expect(p3.answer).toBe('ACK');
    expect(p3.explanation).toMatch(/ACK/);
    expect(p3.next).toEqual(step(atSynAck));
  });

  it('a SYN to a closed port draws a RST', () => {
    const w = until(start('connection-refused'), (x) => x.network.inFlight.length === 1);
    expect(predictNext(w)?.answer).toBe('RST');
  });

  it('a lost segment means nothing is sent, and the hint names the timer that will act', () => {
    const w = until(start('lost-syn'), (x) => x.network.inFlight.length === 1 && x.server.listener.socket.state === 'LISTEN');
    const p = predictNext(w)!;
    expect(p.answer).toBe('nothing');
    expect(p.choices).toContain('nothing');
    expect(p.explanation).toMatch(/retransmit timer/);
  });

  it('data and FIN are told apart, and nothing is predicted at the end of a run', () => {
    const end = until(start('handshake'), (w) => step(w) === w);
    expect(predictNext(end)).toBeUndefined();
    const base = { id: 1, from: 'client' as const, srcPort: 1, dstPort: 2, seq: 0, ack: 0, window: 0, options: {}, payload: '', len: 0 };
    expect(classify({ ...base, flags: flags('FIN', 'ACK', 'PSH'), payload: 'x', len: 1 })).toBe('FIN');
    expect(classify({ ...base, flags: flags('PSH', 'ACK'), payload: 'x', len: 1 })).toBe('data');
    expect(classify({ ...base, flags: flags('RST', 'ACK') })).toBe('RST');
  });
});
