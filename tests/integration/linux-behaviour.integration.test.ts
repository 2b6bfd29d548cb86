import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The kernel behaviours lessons 2, 3 and 6 state, checked on real loopback sockets by CPython
 * (tests/fixtures/linux_behaviour.py). They are Linux facts, so they run only where Linux and
 * python3 are; elsewhere the skip says why.
 */

const HELPER = fileURLToPath(new URL('../fixtures/linux_behaviour.py', import.meta.url));

function why(): string {
  if (process.platform !== 'linux') return `the lessons state Linux behaviour and this is ${process.platform}`;
  if (!existsSync('/proc/net/tcp')) return '/proc/net/tcp is missing, so socket states cannot be read';
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return 'python3 is not installed';
  }
  return '';
}

const skipReason = why();
const title = (text: string) => (skipReason === '' ? text : `${text} — skipped: ${skipReason}`);

type Outcome = { returned?: string | null; raised?: string; errno?: string };

/** Runs one check of the helper; the helper's own alarm and this timeout both end it. */
function check<T>(name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile('python3', [HELPER, name], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name}: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

describe.skipIf(skipReason !== '')('Linux sockets as the lessons describe them', () => {
  it(title('after a RST, recv() returns the bytes already queued, then raises ConnectionResetError once, then returns b""'), async () => {
    const { reads } = await check<{ reads: Outcome[] }>('rst');
    expect(reads).toEqual([{ returned: 'queued' }, { raised: 'ConnectionResetError', errno: 'ECONNRESET' }, { returned: '' }]);
  });

  it(title('a peer in CLOSE-WAIT whose send() draws a RST gets BrokenPipeError on the next send()'), async () => {
    const { sends } = await check<{ sends: Outcome[] }>('close-wait-send');
    expect(sends[0]).toEqual({ returned: null });
    expect(sends.slice(1)).toEqual([
      { raised: 'BrokenPipeError', errno: 'EPIPE' },
      { raised: 'BrokenPipeError', errno: 'EPIPE' },
    ]);
  });

  it(title('recv() returns b"" for recv(0) and after shutdown(SHUT_RD), while the peer is still open'), async () => {
    const result = await check<{ recv0: Outcome; afterShutRd: Outcome; peerStillOpen: boolean }>('empty-reads');
    expect(result).toEqual({ recv0: { returned: '' }, afterShutRd: { returned: '' }, peerStillOpen: true });
  });

  it(title('SO_REUSEADDR lets a bind past old connections only when the old and the new socket both set it, never past a listener'), async () => {
    const result = await check<Record<string, Outcome & { old: string }>>('reuseaddr');
    const bound = (old: string) => ({ old, returned: null });
    const inUse = (old: string) => ({ old, raised: 'OSError', errno: 'EADDRINUSE' });
    expect(result).toEqual({
      bothEstablished: bound('ESTABLISHED'),
      onlyNewEstablished: inUse('ESTABLISHED'),
      onlyOldEstablished: inUse('ESTABLISHED'),
      bothFinWait2: bound('FIN-WAIT-2'),
      bothTimeWait: bound('TIME-WAIT'),
      onlyNewTimeWait: inUse('TIME-WAIT'),
      bothStillListening: inUse('LISTEN'),
    });
  });

  it(title('listen(1) admits two connections; a third SYN is dropped, the client stays in SYN-SENT retrying, and gets in after accept()'), async () => {
    type Row = { state: string; retransmits: number } | null;
    const result = await check<{
      before: Row[];
      stillAfterWait: Row;
      retransmitsAt: number[];
      afterAccept: Row;
      synLinearTimeouts: number | null;
    }>('full-backlog');
    expect(result.before.map((row) => row?.state)).toEqual(['ESTABLISHED', 'ESTABLISHED', 'SYN-SENT']);
    expect(result.stillAfterWait?.state).toBe('SYN-SENT');
    expect(result.afterAccept?.state).toBe('ESTABLISHED');
    // Lesson 3's schedule table: 1, 2, 3 s on Linux 6.5 and later (tcp_syn_linear_timeouts), 1, 3 s before.
    const expected = (result.synLinearTimeouts ?? 0) >= 3 ? [1, 2, 3] : [1, 3];
    expect(result.retransmitsAt).toHaveLength(expected.length);
    result.retransmitsAt.forEach((at, i) => expect(Math.abs(at - expected[i]!)).toBeLessThan(0.4));
  });
});
