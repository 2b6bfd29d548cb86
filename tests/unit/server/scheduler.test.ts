import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../server/rate-limit.ts';
import { ManualScheduler } from '../../../server/scheduler.ts';

describe('ManualScheduler', () => {
  it('fires each due timer at its own instant, in order, and intervals again and again', () => {
    const clock = new ManualScheduler();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 30);
    clock.setTimeout(() => fired.push(`early@${clock.now()}`), 10);
    const every = clock.setInterval(() => fired.push(`tick@${clock.now()}`), 12);
    clock.advance(25);
    expect(fired).toEqual(['early@10', 'tick@12', 'tick@24']);
    expect(clock.now()).toBe(25);
    clock.clear(every);
    clock.advance(100);
    expect(fired).toEqual(['early@10', 'tick@12', 'tick@24', 'late@30']);
    expect(clock.pending).toBe(0);
  });

  it('runs a timer set by a firing timer within the same advance when it falls due', () => {
    const clock = new ManualScheduler();
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    clock.advance(10);
    expect(fired).toEqual([10]);
  });

  it('settles armed() when a timer of that delay is set', async () => {
    const clock = new ManualScheduler();
    let armed = false;
    void clock.armed(50).then(() => (armed = true));
    clock.setTimeout(() => undefined, 40);
    await Promise.resolve();
    expect(armed).toBe(false);
    clock.setTimeout(() => undefined, 50);
    await Promise.resolve();
    expect(armed).toBe(true);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then refills at the rate on the clock it is given', () => {
    const clock = new ManualScheduler();
    const bucket = new TokenBucket(10, 3, clock);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(100);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    clock.advance(10_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
