import { describe, expect, it } from 'vitest';
import { seconds } from '../../../../src/core/clock.ts';
import { SCENARIOS, isFinished, scenarioById } from '../../../../src/core/tcp/index.ts';
import { events, last, run, sentSegments, statePath } from './support/worlds.ts';

const create = (id: string, knobs = {}) => {
  const s = scenarioById(id);
  if (s === undefined) throw new Error(`no scenario ${id}`);
  return s.create(knobs);
};

describe('scenarios', () => {
  it('each has a unique id, a title and a one-line description, and runs to completion', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) {
      expect(s.title.length).toBeGreaterThan(3);
      expect(s.description).not.toContain('\n');
      const t = run(s.create());
      expect(isFinished(last(t)), s.id).toBe(true);
      for (const e of events(t)) expect(e.explanation.length, s.id).toBeGreaterThan(10);
    }
  });

  it('normal handshake: ESTABLISHED on both sides before accept() returns', () => {
    const t = run(create('handshake'));
    expect(statePath(t, 'client')).toEqual(['CLOSED', 'SYN-SENT', 'ESTABLISHED']);
    expect(statePath(t, 'server')).toEqual(['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED']);
    const ev = events(t);
    const established = ev.findIndex((e) => 'transition' in e && e.transition?.from === 'SYN-RECEIVED');
    const accepted = ev.findIndex((e) => e.kind === 'app' && e.call.op === 'accept');
    expect(established).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(established);
  });

  it('data both ways: each side reads what the other wrote, and every data segment is acknowledged', () => {
    const t = run(create('data-exchange'));
    const w = last(t);
    expect(w.clients[0]?.app.received).toBe('hello');
    expect(w.server.app.received).toBe('hello');
    const segs = sentSegments(t).map((s) => s.segment);
    for (const d of segs.filter((s) => s.len > 0)) {
      expect(segs.some((a) => a.from !== d.from && a.flags.ACK && a.ack === d.seq + d.len)).toBe(true);
    }
  });

  it('active close goes FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT and back to CLOSED after exactly 2·MSL', () => {
    for (const msl of [seconds(30), seconds(5)]) {
      const t = run(create('active-close', { msl }));
      expect(statePath(t, 'client')).toEqual(['CLOSED', 'SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSED']);
      expect(statePath(t, 'server')).toEqual(['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
      const ev = events(t);
      const enter = ev.find((e) => 'transition' in e && e.transition?.to === 'TIME-WAIT');
      const leave = ev.find((e) => 'transition' in e && e.transition?.from === 'TIME-WAIT');
      expect(leave!.at - enter!.at).toBe(2 * msl);
    }
  });

  it('simultaneous close: both FIN-WAIT-1 → CLOSING → TIME-WAIT → CLOSED', () => {
    const t = run(create('simultaneous-close'));
    const tail = ['ESTABLISHED', 'FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED'];
    expect(statePath(t, 'client').slice(-5)).toEqual(tail);
    expect(statePath(t, 'server').slice(-5)).toEqual(tail);
  });

  it('connect to a closed port: RST, ACK and ECONNREFUSED', () => {
    const t = run(create('connection-refused'));
    const w = last(t);
    expect(w.clients[0]?.app.failed).toBe('ECONNREFUSED');
    expect(w.clients[0]?.endpoint.state).toBe('CLOSED');
    const rst = sentSegments(t).find((s) => s.segment.flags.RST)!.segment;
    expect(rst.flags.ACK).toBe(true);
    expect(rst.ack).toBe(w.clients[0]!.endpoint.iss + 1);
  });

  it('lost SYNs are retransmitted after 1 s, then 2 s', () => {
    const t = run(create('lost-syn'));
    const syns = sentSegments(t).filter((s) => s.segment.flags.SYN && !s.segment.flags.ACK);
    expect(syns.map((s) => s.at)).toEqual([0, seconds(1), seconds(3)]);
    expect(new Set(syns.map((s) => s.segment.seq)).size).toBe(1);
    expect(last(t).clients[0]?.endpoint.state).toBe('ESTABLISHED');
  });

  it('a black-holed SYN backs off 1, 2, 4, 8, 16, 32 s and then connect() fails with ETIMEDOUT', () => {
    const t = run(create('handshake', { loss: 1 }));
    const syns = sentSegments(t).filter((s) => s.segment.flags.SYN);
    const gaps = syns.slice(1).map((s, i) => s.at - syns[i]!.at);
    expect(gaps).toEqual([1, 2, 4, 8, 16, 32].map(seconds));
    expect(last(t).clients[0]?.app.failed).toBe('ETIMEDOUT');
    expect(last(t).clock.now - syns[0]!.at).toBe(seconds(127));
  });

  it('a lost SYN, ACK: the client retransmits its SYN and the server answers again', () => {
    const t = run(create('lost-syn-ack'));
    const synAcks = sentSegments(t).filter((s) => s.segment.flags.SYN && s.segment.flags.ACK);
    expect(synAcks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(synAcks.map((s) => s.segment.seq)).size).toBe(1);
    expect(last(t).clients[0]?.endpoint.state).toBe('ESTABLISHED');
    expect(last(t).server.listener.connections[0]?.state).toBe('ESTABLISHED');
  });

  it('full backlog: the second client is ESTABLISHED while the server drops its ACK and retransmits SYN, ACK', () => {
    const t = run(create('backlog-full'));
    const overflow = t.find((w) => w.event.kind === 'drop' && w.event.reason === 'accept queue full');
    expect(overflow).toBeDefined();
    expect(overflow!.clients[1]?.endpoint.state).toBe('ESTABLISHED');
    expect(overflow!.server.listener.connections.find((c) => c.remotePort === 50001)?.state).toBe('SYN-RECEIVED');
    const retransmitted = sentSegments(t).filter((s) => s.segment.flags.SYN && s.segment.flags.ACK && s.segment.dstPort === 50001);
    expect(retransmitted.length).toBeGreaterThan(1);
    const w = last(t);
    expect(w.server.app.received).toBe('onetwo');
    expect(w.clients.map((c) => c.app.received)).toEqual(['bye', 'bye']);
  });

  it('half-close: the server keeps sending after the client shut down its write side', () => {
    const t = run(create('half-close'));
    const w = last(t);
    expect(w.server.app.received).toBe('GET /time');
    expect(w.clients[0]?.app.received).toBe(w.server.app.sent);
    const dataInFw2 = t.filter(
      (x, i) => x.event.kind === 'deliver' && x.event.to === 'client' && x.event.segment.len > 0 && t[i - 1]?.clients[0]?.endpoint.state === 'FIN-WAIT-2',
    );
    expect(dataInFw2.length).toBeGreaterThan(0);
  });

  it('abort: RST instead of FIN, and the server sees ECONNRESET', () => {
    const t = run(create('abort'));
    expect(sentSegments(t).filter((s) => s.segment.flags.FIN)).toEqual([]);
    expect(sentSegments(t).some((s) => s.segment.flags.RST && s.segment.from === 'client')).toBe(true);
    expect(last(t).server.app.failed).toBe('ECONNRESET');
  });

  it('bulk transfer delivers every byte in order', () => {
    const t = run(create('bulk-transfer', { bytes: 50_000 }));
    const w = last(t);
    expect(w.server.app.received).toBe(w.clients[0]?.app.sent);
    expect(w.clients[0]?.app.received).toBe('got it');
  });
});
