import { describe, expect, it } from 'vitest';
import { ReconnectSchedule, retryDelay, RETRY_MAX_MS, type RetryState } from '../../../src/client/reconnect-schedule.ts';

/** Timers moved by hand: `advance` runs what is due. */
class FakeTimers {
  now = 0;
  #next = 1;
  pending = new Map<number, { at: number; run: () => void }>();
  set = (run: () => void, ms: number): number => {
    const handle = this.#next++;
    this.pending.set(handle, { at: this.now + ms, run });
    return handle;
  };
  clear = (handle: number): void => {
    this.pending.delete(handle);
  };
  advance(ms: number): void {
    this.now += ms;
    for (const [handle, timer] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.pending.delete(handle);
      timer.run();
    }
  }
}

function setup(random = () => 0) {
  const timers = new FakeTimers();
  const opens: number[] = [];
  const states: RetryState[] = [];
  let visible = true;
  const schedule = new ReconnectSchedule({
    open: () => opens.push(timers.now),
    timers,
    random,
    visible: () => visible,
    onChange: (state) => states.push(state),
  });
  return { timers, opens, states, schedule, setVisible: (value: boolean) => (visible = value) };
}

describe('retryDelay', () => {
  it('doubles from 1 s up to 30 s, less up to a fifth at random', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => retryDelay(attempt, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(retryDelay(0, () => 0.5)).toBe(900);
    expect(retryDelay(20, () => 0.999999)).toBeGreaterThanOrEqual(RETRY_MAX_MS * 0.8);
    expect(retryDelay(20, () => 0.999999)).toBeLessThanOrEqual(RETRY_MAX_MS);
  });
});

describe('ReconnectSchedule', () => {
  it('tries again after 1, 2, 4 … 30 s while each try fails, and starts over once a sandbox opens', () => {
    const { timers, opens, states, schedule } = setup();
    schedule.lost();
    for (let i = 0; i < 7; i++) {
      const state = states.at(-1);
      expect(state?.kind).toBe('waiting');
      timers.advance(state?.kind === 'waiting' ? state.delayMs : 0);
      schedule.lost();
    }
    expect(opens).toEqual([1000, 3000, 7000, 15000, 31000, 61000, 91000]);
    schedule.opened();
    expect(timers.pending.size).toBe(0);
    schedule.lost();
    expect(states.at(-1)).toEqual({ kind: 'waiting', delayMs: 1000 });
  });

  it('takes the jitter from the injected random source', () => {
    const { states, schedule } = setup(() => 0.25);
    schedule.lost();
    expect(states.at(-1)).toEqual({ kind: 'waiting', delayMs: 950 });
  });

  it('waits while the page is hidden and tries at once when it is shown again', () => {
    const { timers, opens, states, schedule, setVisible } = setup();
    setVisible(false);
    schedule.lost();
    expect(states.at(-1)).toEqual({ kind: 'paused' });
    timers.advance(120_000);
    expect(opens).toEqual([]);
    setVisible(true);
    schedule.visibilityChanged();
    expect(opens).toEqual([120_000]);
  });

  it('hiding the page cancels the pending try', () => {
    const { timers, opens, schedule, setVisible } = setup();
    schedule.lost();
    setVisible(false);
    schedule.visibilityChanged();
    timers.advance(60_000);
    expect(opens).toEqual([]);
  });

  it('the Reconnect button tries now and cancels the wait; a page on its way out stops trying', () => {
    const { timers, opens, schedule } = setup();
    schedule.lost();
    timers.advance(500);
    schedule.now();
    expect(opens).toEqual([500]);
    expect(timers.pending.size).toBe(0);
    schedule.stop();
    schedule.lost();
    timers.advance(60_000);
    expect(opens).toEqual([500]);
  });
});
