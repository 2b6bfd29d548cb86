import { describe, expect, it } from 'vitest';
import { createRng, seedRng } from '../../../../src/core/rng.ts';
import type { Segment, World } from '../../../../src/core/tcp/index.ts';
import { SCENARIOS, armDropNext, eventLog, isFinished, pendingEvents, scenarioById, seqGe, seqGt, seqLe, step } from '../../../../src/core/tcp/index.ts';
import { events, last, run, sentSegments } from './support/worlds.ts';

const scenario = (id: string) => scenarioById(id)!;

describe('determinism', () => {
  it('the same knobs and seed give a deep-equal trace; a different seed gives a different one under loss', () => {
    for (const s of SCENARIOS) {
      const knobs = { seed: 7, loss: 0.15, latency: 30_000 };
      expect(run(s.create(knobs)), s.id).toEqual(run(s.create(knobs)));
    }
    const a = run(scenario('bulk-transfer').create({ seed: 1, loss: 0.2 }));
    const b = run(scenario('bulk-transfer').create({ seed: 2, loss: 0.2 }));
    expect(a).not.toEqual(b);
  });

  it('honours fixed ISNs', () => {
    const w = last(run(scenario('handshake').create({ isn: { client: 111, server: 222 } })));
    expect(w.clients[0]?.endpoint.iss).toBe(111);
    expect(w.server.listener.connections[0]?.iss).toBe(222);
  });
});

/** Segments of one direction of one connection that carried data and were lost. */
function lostData(ws: readonly World[]): Segment[] {
  return events(ws).flatMap((e) => (e.kind === 'drop' && e.segment.len > 0 ? [e.segment] : []));
}

function retransmittedLater(ws: readonly World[], lost: Segment): boolean {
  const all = sentSegments(ws).map((s) => s.segment);
  return all.some(
    (s) => s.id > lost.id && s.from === lost.from && s.srcPort === lost.srcPort && s.len > 0 && seqLe(s.seq, lost.seq) && seqGt((s.seq + s.len) >>> 0, lost.seq),
  );
}

/** A lost retransmission needs no resend when an earlier copy got through: the receiver acknowledges its bytes. */
function alreadyHeld(ws: readonly World[], lost: Segment): boolean {
  return sentSegments(ws).some(
    (s) => s.segment.from !== lost.from && s.segment.dstPort === lost.srcPort && s.segment.flags.ACK && seqGe(s.segment.ack, (lost.seq + lost.len) >>> 0),
  );
}

describe('invariants over seeded random runs with loss', () => {
  const ids = ['bulk-transfer', 'data-exchange', 'half-close', 'backlog-full'];
  const r = createRng(seedRng(2024));
  const runs = Array.from({ length: 120 }, (_, i) => ({
    id: ids[i % ids.length]!,
    seed: i + 1,
    loss: Math.round(r.next() * 25) / 100,
    latency: 1000 + r.int(200_000),
    bytes: 1 + r.int(30_000),
    isn: r.chance(0.5) ? { client: 2 ** 32 - 1 - r.int(5000), server: 2 ** 32 - 1 - r.int(5000) } : undefined,
  }));

  it.each(runs)('$id seed=$seed loss=$loss: every byte reaches the app once, in order; every lost data segment is resent', (k) => {
    const ws = run(scenario(k.id).create(k));
    const w = last(ws);
    expect(isFinished(w)).toBe(true);
    const failed = [w.server.app.failed, ...w.clients.map((c) => c.app.failed)].some((f) => f !== undefined);
    // The server serves connections one after another, in the order accept() returned them.
    const order = events(ws).flatMap((e) => (e.kind === 'app' && e.call.op === 'accept' && e.result.ok && e.host.side === 'server' ? [e.host.remotePort] : []));
    const sentByClients = order.map((port) => w.clients.find((c) => c.endpoint.localPort === port)?.app.sent ?? '').join('');
    const toEachClient = w.clients.map((c) => c.app.received);
    // Received is always a prefix of what was sent: no duplicates, no reordering.
    expect(sentByClients.startsWith(w.server.app.received)).toBe(true);
    if (!failed) {
      expect(w.server.app.received).toBe(sentByClients);
      for (const got of toEachClient) expect(w.server.app.sent.includes(got)).toBe(true);
      expect(toEachClient.join('')).toBe(w.server.app.sent);
      for (const lost of lostData(ws)) expect(retransmittedLater(ws, lost) || alreadyHeld(ws, lost), `segment ${lost.id}`).toBe(true);
    }
  });

  it('loss really happened in these runs', () => {
    const drops = runs
      .slice(0, 20)
      .map((k) => lostData(run(scenario(k.id).create(k))).length)
      .reduce((a, b) => a + b, 0);
    expect(drops).toBeGreaterThan(10);
  });
});

describe('stepping', () => {
  it('each step records one event, the log is the chain of them, and time never goes back', () => {
    const ws = run(scenario('data-exchange').create());
    ws.forEach((w, i) => expect(w.step).toBe(i));
    expect(eventLog(last(ws))).toEqual(ws.map((w) => w.event));
    for (let i = 1; i < ws.length; i++) expect(ws[i]!.clock.now).toBeGreaterThanOrEqual(ws[i - 1]!.clock.now);
    const w = last(ws);
    expect(step(w)).toBe(w);
  });

  it('records sends and arrivals with their times', () => {
    const ws = run(scenario('handshake').create({ latency: 40_000 }));
    const arrivals = events(ws).filter((e) => e.kind === 'deliver');
    for (const a of arrivals) {
      if (a.kind !== 'deliver') continue;
      const sentAt = sentSegments(ws).find((s) => s.segment.id === a.segment.id)!.at;
      expect(a.at - sentAt).toBe(40_000);
    }
  });

  it('learner mode delivers only chosen segments, in any order, and can drop them', () => {
    let w = scenario('data-exchange').create({ mode: 'learner' });
    while (pendingEvents(w)[0]?.kind === 'app') w = step(w);
    expect(w.network.inFlight.map((f) => f.segment.flags.SYN)).toEqual([true]);
    // Nothing arrives by itself: the only pending things are timers and app calls.
    expect(pendingEvents(w).every((p) => p.kind !== 'arrival')).toBe(true);
    const synId = w.network.inFlight[0]!.segment.id;
    const dropped = step(w, { kind: 'drop', segmentId: synId });
    expect(dropped.event).toMatchObject({ kind: 'drop', reason: 'dropped by the learner' });
    expect(dropped.clock.now).toBe(w.clock.now);
    const delivered = step(w, { kind: 'deliver', segmentId: synId });
    expect(delivered.event).toMatchObject({ kind: 'deliver', to: 'server' });
    expect(delivered.server.listener.connections[0]?.state).toBe('SYN-RECEIVED');
    expect(step(w, { kind: 'deliver', segmentId: 999 })).toBe(w);
  });

  it('"drop the next segment" loses exactly one segment from the chosen side', () => {
    const w = armDropNext(scenario('handshake').create(), 'server');
    expect(w.step).toBe(0);
    const drops = events(run(w)).filter((e) => e.kind === 'drop');
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ reason: 'dropped on purpose', segment: { from: 'server', flags: { SYN: true, ACK: true } } });
  });

  it('learner mode: two data segments delivered in reverse order are reassembled', () => {
    let w = scenario('bulk-transfer').create({ mode: 'learner', bytes: 3000 });
    const deliverAll = (world: World, order: 'fifo' | 'lifo'): World => {
      let cur = world;
      for (let i = 0; i < 200; i++) {
        const inFlight = cur.network.inFlight;
        const due = pendingEvents(cur)[0];
        if (due !== undefined && due.at <= cur.clock.now) {
          cur = step(cur);
          continue;
        }
        if (inFlight.length === 0) {
          const next = step(cur);
          if (next === cur) break;
          cur = next;
          continue;
        }
        const pick = order === 'fifo' ? inFlight[0]! : inFlight[inFlight.length - 1]!;
        cur = step(cur, { kind: 'deliver', segmentId: pick.segment.id });
      }
      return cur;
    };
    w = deliverAll(w, 'lifo');
    expect(w.server.app.received).toBe(w.clients[0]?.app.sent);
    expect(w.clients[0]?.app.received).toBe('got it');
  });
});
