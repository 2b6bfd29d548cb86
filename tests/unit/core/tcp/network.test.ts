import { describe, expect, it } from 'vitest';
import { createRng, seedRng } from '../../../../src/core/rng.ts';
import type { Segment } from '../../../../src/core/tcp/index.ts';
import { armDrop, createNetwork, flags, nextArrival, takeInFlight, transmit } from '../../../../src/core/tcp/index.ts';

const s = (id: number, from: 'client' | 'server' = 'client'): Segment => ({
  id,
  from,
  srcPort: 1,
  dstPort: 2,
  seq: id,
  ack: 0,
  flags: flags('ACK'),
  window: 0,
  options: {},
  payload: '',
  len: 0,
});

describe('network', () => {
  it('delivers each segment one latency after it was sent, earliest first', () => {
    const rng = createRng(seedRng(1));
    let n = createNetwork({ latency: 5000 });
    n = transmit(n, s(1), 0, rng);
    n = transmit(n, s(2), 100, rng);
    expect(nextArrival(n)).toMatchObject({ segment: { id: 1 }, sentAt: 0, arriveAt: 5000, lost: undefined });
    n = takeInFlight(n, 1).network;
    expect(nextArrival(n)?.arriveAt).toBe(5100);
  });

  it('drops "the next segment" once, optionally only from one side', () => {
    const rng = createRng(seedRng(1));
    let n = armDrop(createNetwork(), 'server');
    n = transmit(n, s(1, 'client'), 0, rng);
    n = transmit(n, s(2, 'server'), 0, rng);
    n = transmit(n, s(3, 'server'), 0, rng);
    expect(n.inFlight.map((f) => f.lost)).toEqual([undefined, 'dropped on purpose', undefined]);
    expect(n.dropNext).toEqual([]);
  });

  it('loses segments with the configured probability, drawn from the seeded rng', () => {
    const rng = createRng(seedRng(9));
    let n = createNetwork({ loss: 0.3 });
    for (let i = 0; i < 2000; i++) n = transmit(n, s(i), 0, rng);
    const lost = n.inFlight.filter((f) => f.lost === 'random loss').length;
    expect(lost).toBeGreaterThan(500);
    expect(lost).toBeLessThan(700);
  });

  it('in learner mode nothing arrives by itself', () => {
    const rng = createRng(seedRng(1));
    const n = transmit(createNetwork({ mode: 'learner' }), s(1), 0, rng);
    expect(nextArrival(n)).toBeUndefined();
    expect(takeInFlight(n, 1).item?.segment.id).toBe(1);
    expect(takeInFlight(n, 99).item).toBeUndefined();
  });
});
