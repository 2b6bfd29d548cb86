import { describe, expect, it } from 'vitest';
import { replacement } from '../../../server/cluster.ts';
import { MAX_WORKER_RESTARTS, WORKER_RESTART_WINDOW_MS } from '../../../server/limits.ts';

describe('replacement of a worker that died', () => {
  it(`replaces up to ${MAX_WORKER_RESTARTS} within the window, then gives up until the oldest leaves it`, () => {
    let restarts: number[] = [];
    for (let i = 0; i < MAX_WORKER_RESTARTS; i++) {
      const decision = replacement(restarts, i * 1000);
      expect(decision.replace).toBe(true);
      restarts = decision.restarts;
    }
    expect(replacement(restarts, MAX_WORKER_RESTARTS * 1000)).toEqual({ replace: false, restarts });
    const later = replacement(restarts, WORKER_RESTART_WINDOW_MS);
    expect(later.replace).toBe(true);
    expect(later.restarts).toEqual([...restarts.slice(1), WORKER_RESTART_WINDOW_MS]);
  });

  it('forgets replacements older than the window', () => {
    expect(replacement([0, 1, 2, 3, 4], WORKER_RESTART_WINDOW_MS + 10)).toEqual({ replace: true, restarts: [WORKER_RESTART_WINDOW_MS + 10] });
  });
});
