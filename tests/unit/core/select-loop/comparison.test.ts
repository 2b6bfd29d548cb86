import { describe, expect, it } from 'vitest';
import { createComparison, scenarioById, waitingClients } from '../../../../src/core/select-loop/index.ts';
import { programById } from '../../../../src/client/loop-programs.ts';

describe('side by side', () => {
  const c = createComparison(programById('blocking-echo'), programById('selectors-server'), 'three-clients');

  it('lines both programs up after each network input', () => {
    const n = scenarioById('three-clients').events.length;
    expect(c.rows).toHaveLength(n + 1);
    expect(c.rows[0]?.input).toBeUndefined();
    c.rows.forEach((row, i) => {
      expect(row.left.nextInput).toBe(i);
      expect(row.right.nextInput).toBe(i);
      if (i > 0) expect(row.input).toEqual(scenarioById('three-clients').events[i - 1]);
      expect(c.left).toContain(row.left);
      expect(c.right).toContain(row.right);
    });
  });

  it('shows the client the blocking server leaves waiting while selectors serves everyone', () => {
    const row = c.rows[5]!;
    expect(row.input).toEqual({ kind: 'send', client: 'B', data: 'hi from B\n' });
    expect(waitingClients(row.left).map((x) => x.client)).toEqual(['B', 'C']);
    expect(waitingClients(row.left)[0]?.reason).toMatch(/accept queue/);
    expect(waitingClients(row.right)).toEqual([]);
  });

  it('ends with both having echoed everything', () => {
    const end = c.rows.at(-1)!;
    for (const w of [end.left, end.right]) for (const p of w.kernel.peers) expect(p.received).toBe(p.sent);
  });
});
