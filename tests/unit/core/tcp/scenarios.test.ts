import { describe, expect, it } from 'vitest';
import { seconds } from '../../../../src/core/clock.ts';
import { SCENARIOS, isFinished, scenarioById, utf8Text } from '../../../../src/core/tcp/index.ts';
import { events, last, listenerPath, run, sentSegments, statePath } from './support/worlds.ts';

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

  it('connect to a closed port: the server closes its listener (LISTEN → CLOSED), then RST, ACK and ECONNREFUSED', () => {
    const t = run(create('connection-refused'));
    const w = last(t);
    expect(t[1]?.server.listener.socket.state).toBe('CLOSED');
    expect(w.clients[0]?.app.failed).toBe('ECONNREFUSED');
    expect(w.clients[0]?.endpoint.state).toBe('CLOSED');
    const rst = sentSegments(t).find((s) => s.segment.flags.RST)!.segment;
    expect(rst.flags.ACK).toBe(true);
    expect(rst.ack).toBe(w.clients[0]!.endpoint.iss + 1);
  });

  it('lost SYNs are retransmitted 1 s apart on Linux 6.5 and later, after 1 s then 2 s with RFC 6298 doubling', () => {
    const synTimes = (synBackoff: 'linear-then-exponential' | 'exponential') => {
      const t = run(create('lost-syn', { synBackoff }));
      expect(last(t).clients[0]?.endpoint.state).toBe('ESTABLISHED');
      const syns = sentSegments(t).filter((s) => s.segment.flags.SYN && !s.segment.flags.ACK);
      expect(new Set(syns.map((s) => s.segment.seq)).size).toBe(1);
      return syns.map((s) => s.at);
    };
    expect(synTimes('linear-then-exponential')).toEqual([0, seconds(1), seconds(2)]);
    expect(synTimes('exponential')).toEqual([0, seconds(1), seconds(3)]);
  });

  it('a black-holed SYN follows each schedule and connect() fails with ETIMEDOUT when the 127 s budget is spent', () => {
    const schedules = {
      'linear-then-exponential': { at: [1, 2, 3, 4, 5, 7, 11, 19, 35, 67], givesUp: 131 },
      exponential: { at: [1, 3, 7, 15, 31, 63], givesUp: 127 },
    } as const;
    for (const [synBackoff, expected] of Object.entries(schedules)) {
      const t = run(create('handshake', { loss: 1, synBackoff: synBackoff as keyof typeof schedules }));
      const syns = sentSegments(t).filter((s) => s.segment.flags.SYN);
      expect(syns.map((s) => s.at)).toEqual([0, ...expected.at].map(seconds));
      expect(last(t).clients[0]?.app.failed).toBe('ETIMEDOUT');
      expect(last(t).clock.now - syns[0]!.at).toBe(seconds(expected.givesUp));
    }
  });

  it('a lost SYN, ACK: the client retransmits its SYN and the server answers again', () => {
    const t = run(create('lost-syn-ack'));
    const synAcks = sentSegments(t).filter((s) => s.segment.flags.SYN && s.segment.flags.ACK);
    expect(synAcks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(synAcks.map((s) => s.segment.seq)).size).toBe(1);
    expect(last(t).clients[0]?.endpoint.state).toBe('ESTABLISHED');
    expect(last(t).server.listener.connections[0]?.state).toBe('ESTABLISHED');
  });

  it('full backlog: listen(1) admits 2; a final ACK that finds the queue full is ignored; a SYN that finds it full is dropped', () => {
    const t = run(create('backlog-full'));
    const drops = t.filter((w) => w.event.kind === 'drop' && w.event.reason === 'accept queue full');
    const ackDrop = drops.find((w) => w.event.kind === 'drop' && !w.event.segment.flags.SYN)!;
    expect(ackDrop.server.listener.acceptQueue).toHaveLength(2);
    expect(ackDrop.clients[2]?.endpoint.state).toBe('ESTABLISHED');
    expect(ackDrop.server.listener.connections.find((c) => c.remotePort === 50002)?.state).toBe('SYN-RECEIVED');
    const synDrop = drops.find((w) => w.event.kind === 'drop' && w.event.segment.flags.SYN)!;
    expect(synDrop.server.listener.acceptQueue).toHaveLength(2);
    expect(synDrop.clients[3]?.endpoint.state).toBe('SYN-SENT');
    expect(synDrop.server.listener.connections.some((c) => c.remotePort === 50003)).toBe(false);
    const retransmitted = sentSegments(t).filter((s) => s.segment.flags.SYN && s.segment.flags.ACK && s.segment.dstPort === 50002);
    expect(retransmitted.length).toBeGreaterThan(1);
    const w = last(t);
    expect(w.server.app.received).toBe('onetwothreefour');
    expect(w.clients.map((c) => c.app.received)).toEqual(['bye', 'bye', 'bye', 'bye']);
  });

  it('simultaneous open: SYNs cross, each side goes SYN-SENT → SYN-RECEIVED → ESTABLISHED; the server leaves LISTEN by sending and closes in SYN-RECEIVED', () => {
    const t = run(create('simultaneous-open'));
    expect(statePath(t, 'client')).toEqual(['CLOSED', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
    expect(listenerPath(t)).toEqual(['CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSED']);
    const w = last(t);
    expect(w.clients[0]?.app.received).toBe('hello');
    expect(sentSegments(t).filter((s) => s.segment.flags.SYN && !s.segment.flags.ACK)).toHaveLength(2);
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

  it('abort: RST instead of FIN; the server still reads the bytes that had arrived, then sees ECONNRESET', () => {
    const t = run(create('abort'));
    expect(sentSegments(t).filter((s) => s.segment.flags.FIN)).toEqual([]);
    const rst = t.findIndex((w) => w.event.kind === 'deliver' && w.event.segment.flags.RST);
    const reads = events(t).filter((e) => e.kind === 'app' && e.host.side === 'server' && e.call.op === 'recv');
    expect(reads.every((e) => e.at > t[rst]!.event.at)).toBe(true);
    expect(reads.map((e) => (e.kind === 'app' ? e.result : undefined))).toEqual([{ ok: true, data: 'hello' }, { ok: false, error: 'ECONNRESET' }]);
    expect(last(t).server.app.failed).toBe('ECONNRESET');
  });

  it('half-close counts bytes, not characters: "twelve o’clock." is 17 bytes in UTF-8', () => {
    const t = run(create('half-close'));
    const answer = sentSegments(t).find((s) => s.segment.from === 'server' && s.segment.len > 6)!.segment;
    expect(answer.len).toBe(17);
    expect(utf8Text(answer.payload)).toBe('twelve o’clock.');
    const w = last(t);
    expect(w.server.app.sent.length).toBe(6 + 17);
    expect(utf8Text(w.clients[0]!.app.received)).toBe('It is twelve o’clock.');
    const fin = sentSegments(t).find((s) => s.segment.from === 'server' && s.segment.flags.FIN)!.segment;
    expect(fin.seq + fin.len - w.server.listener.connections[0]!.iss).toBe(1 + 6 + 17);
  });

  it('bulk transfer delivers every byte in order', () => {
    const t = run(create('bulk-transfer', { bytes: 50_000 }));
    const w = last(t);
    expect(w.server.app.received).toBe(w.clients[0]?.app.sent);
    expect(w.clients[0]?.app.received).toBe('got it');
  });
});
