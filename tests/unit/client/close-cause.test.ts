import { describe, expect, it } from 'vitest';
import { closeCause, describeClosure, type Closure } from '../../../src/client/close-cause.ts';

const closed = (code: number, reason = '', more: Partial<Closure> = {}): Closure => ({ code, reason, reached: true, ...more });

describe('closeCause', () => {
  it('decides from the close code and what the page saw, never from the reason text', () => {
    expect(closeCause(closed(1001, 'server shutting down'))).toBe('server-stopped');
    expect(closeCause(closed(1001, 'idle for too long'))).toBe('server-stopped');
    expect(closeCause(closed(1000, 'idle for too long'))).toBe('closed');
    expect(closeCause(closed(4002, 'anything'))).toBe('idle');
    expect(closeCause(closed(4003, 'anything'))).toBe('lifetime');
    expect(closeCause(closed(4001, 'anything'))).toBe('reclaimed');
    expect(closeCause(closed(1008, 'too many invalid messages'))).toBe('policy');
    expect(closeCause(closed(1006))).toBe('dropped');
    expect(closeCause(closed(1006, '', { reached: false }))).toBe('unreachable');
    expect(closeCause(closed(1006, '', { reached: false, refused: 'full' }))).toBe('full');
    expect(closeCause(closed(1006, '', { reached: false, refused: 'draining' }))).toBe('draining');
    expect(closeCause(closed(4999))).toBe('closed');
  });
});

describe('describeClosure', () => {
  it('says what happened in words, with no close code', () => {
    for (const code of [1000, 1001, 1006, 1008, 1009, 1011, 4001, 4002, 4003, 4999]) {
      const sentence = describeClosure(closed(code, 'server words'));
      expect(sentence).not.toContain(String(code));
      expect(sentence).toMatch(/^[A-Z].*\.$/);
    }
    expect(describeClosure(closed(1001, 'server shutting down'))).toBe(
      'The server stopped or restarted, and your sandbox closed with it.',
    );
    expect(describeClosure(closed(4002, 'idle for too long'))).toBe(
      'The server closed your sandbox after a long quiet spell with this page hidden.',
    );
    expect(describeClosure(closed(1008, 'too many invalid messages'))).toContain('The server said: “too many invalid messages”.');
    expect(describeClosure(closed(4003, 'session lifetime reached'))).not.toContain('said');
  });
});
