import { describe, expect, it } from 'vitest';
import type { LoopWorld, ProgramInfo } from '../../../../src/core/select-loop/index.ts';
import { runSource } from '../../../../src/core/select-loop/index.ts';
import { lines, py } from '../python/run.ts';

/** Timeouts in simulated time, AF_INET6 and dual-stack listeners, create_server and create_connection, as CPython 3.11 has them on Linux. */

const SERVER: ProgramInfo = { id: 'scratch', title: 'scratch', description: '', file: 'scratch.py', role: 'server' };
const CLIENT: ProgramInfo = { id: 'scratch', title: 'scratch', description: '', file: 'scratch.py', role: 'client', connectsTo: 'echo' };

function run(info: ProgramInfo, text: string, scenario: string, schedule?: LoopWorld['schedule']): { worlds: readonly LoopWorld[]; end: LoopWorld } {
  const r = runSource(info, text, scenario, schedule === undefined ? {} : { schedule });
  if (!r.ok) throw new Error(r.problem.message);
  return { worlds: r.run.worlds, end: r.run.worlds[r.run.worlds.length - 1] as LoopWorld };
}

const callsOf = (worlds: readonly LoopWorld[]) => worlds.flatMap((w) => (w.event.kind === 'line' ? (w.event.calls ?? []) : []));

describe('socket timeouts', () => {
  it('settimeout() and gettimeout(): None, 0.0 and a float, as CPython reports them', () => {
    const r = py(
      lines(
        'import socket',
        'a, b = socket.socketpair()',
        'print(a.gettimeout(), a.getblocking())',
        'a.settimeout(2)',
        'print(a.gettimeout(), a.getblocking())',
        'a.setblocking(False)',
        'print(a.gettimeout(), a.getblocking())',
        'a.settimeout(None)',
        'print(a.gettimeout(), a.getblocking())',
        'try:',
        '    a.settimeout(-1)',
        'except ValueError as e:',
        '    print(repr(e))',
      ),
    );
    expect(r.stdout).toEqual(['None True', '2.0 True', '0.0 False', 'None True', "ValueError('Timeout value out of range')"]);
  });

  it('a recv() with nothing to read waits in simulated time until its timeout, then raises TimeoutError', () => {
    const r = py(
      lines(
        'import socket',
        'import time',
        'a, b = socket.socketpair()',
        'a.settimeout(1.5)',
        'start = time.monotonic()',
        'try:',
        '    a.recv(10)',
        'except socket.timeout as e:',
        '    print(repr(e), e, time.monotonic() - start)',
      ),
    );
    expect(r.stdout).toEqual(["TimeoutError('timed out') timed out 1.5"]);
    const waiting = r.worlds.find((w) => w.threads[0]?.wait?.call === 'recv');
    expect(waiting?.threads[0]?.wait).toEqual({ call: 'recv', fd: 3, max: 10, until: 1_500_000 });
    const clock = r.worlds.find((w) => w.event.kind === 'clock');
    expect(clock?.clock).toBe(1_500_000);
    expect(callsOf(r.worlds).filter((c) => c.call === 'recv').map((c) => c.raised ?? c.result ?? 'waiting')).toEqual(['waiting', 'TimeoutError: timed out']);
  });

  it('data that arrives before the deadline is returned, and no time passes', () => {
    const { end, worlds } = run(
      CLIENT,
      lines('import socket', 'sock = socket.create_connection(("127.0.0.1", 65432), timeout=3)', 'sock.sendall(b"hi")', 'print(sock.recv(10), sock.gettimeout())'),
      'echo-then-silence',
    );
    expect(end.stdout).toEqual(["b'hi' 3.0"]);
    expect(worlds.every((w) => w.clock === 0)).toBe(true);
  });

  it('without a timeout, a recv() with nothing coming waits for ever: the clock never moves', () => {
    const r = py(lines('import socket', 'a, b = socket.socketpair()', 'a.recv(10)'));
    expect(r.stop.reason).toBe('waiting');
    expect(r.end.clock).toBe(0);
    expect(r.end.threads[0]?.wait).toEqual({ call: 'recv', fd: 3, max: 10 });
  });

  it('settimeout(0) is non-blocking: BlockingIOError at once', () => {
    const r = py(lines('import socket', 'a, b = socket.socketpair()', 'a.settimeout(0)', 'try:', '    a.recv(10)', 'except BlockingIOError as e:', '    print(repr(e))'));
    expect(r.stdout).toEqual(["BlockingIOError(11, 'Resource temporarily unavailable')"]);
  });

  it('setdefaulttimeout() gives new sockets, socketpairs and accepted connections that timeout', () => {
    const text = lines(
      'import socket',
      'print(socket.getdefaulttimeout())',
      'server = socket.create_server(("127.0.0.1", 65432))',
      'socket.setdefaulttimeout(4)',
      'print(socket.getdefaulttimeout(), server.gettimeout(), socket.socket().gettimeout(), socket.socketpair()[0].gettimeout())',
      'conn, addr = server.accept()',
      'print(conn.gettimeout())',
      'try:',
      '    conn.recv(10)',
      'except TimeoutError:',
      '    print("timed out")',
    );
    const { end } = run(SERVER, text, 'live', [{ kind: 'connect', client: 'A' }]);
    expect(end.stdout).toEqual(['None', '4.0 None 4.0 4.0', '4.0', 'timed out']);
    expect(end.clock).toBe(4_000_000);
  });
});

describe('IPv6 and dual-stack listeners', () => {
  const server = (opts: string) =>
    lines(
      'import socket',
      `server = socket.create_server(("", 65432)${opts})`,
      'print(server.getsockname())',
      'while True:',
      '    conn, addr = server.accept()',
      '    print(addr, conn.getsockname())',
      '    conn.close()',
    );
  const both = [
    { kind: 'connect', client: 'A' },
    { kind: 'connect', client: 'B', ipv6: true },
  ] as const;

  it('create_server(dualstack_ipv6=True): one AF_INET6 socket on :: takes IPv4 (as ::ffff:127.0.0.1) and IPv6', () => {
    const { end, worlds } = run(SERVER, server(', family=socket.AF_INET6, dualstack_ipv6=True'), 'live', both);
    expect(end.stdout).toEqual([
      "('::', 65432, 0, 0)",
      "('::ffff:127.0.0.1', 50001, 0, 0) ('::ffff:127.0.0.1', 65432, 0, 0)",
      "('::1', 50002, 0, 0) ('::1', 65432, 0, 0)",
    ]);
    // CPython's create_server makes these calls, each on its own, after has_dualstack_ipv6() has tried a socket.
    expect(callsOf(worlds).slice(0, 8).map((c) => `${c.call} ${c.fd ?? ''} ${(c.args ?? []).join(',')}`)).toEqual([
      'socket 3 AF_INET6',
      'setsockopt 3 41,26,0',
      'close 3 ',
      'socket 3 AF_INET6',
      'setsockopt 3 1,2,1',
      'setsockopt 3 41,26,0',
      "bind 3 ('', 65432)",
      'listen 3 ',
    ]);
  });

  it('an AF_INET6 listener without dualstack_ipv6 (IPV6_V6ONLY on) refuses IPv4; an AF_INET one refuses IPv6', () => {
    const v6only = run(SERVER, server(', family=socket.AF_INET6'), 'live', both).end;
    expect(v6only.stdout).toEqual(["('::', 65432, 0, 0)", "('::1', 50002, 0, 0) ('::1', 65432, 0, 0)"]);
    expect(v6only.kernel.peers.map((p) => [p.name, p.state])).toEqual([
      ['A', 'refused'],
      ['B', 'established'],
    ]);
    const v4 = run(SERVER, server(''), 'live', both).end;
    expect(v4.stdout).toEqual(["('127.0.0.1', 65432)", "('127.0.0.1', 50001) ('127.0.0.1', 65432)"]);
    expect(v4.kernel.peers.map((p) => p.state)).toEqual(['established', 'refused']);
  });

  it('dualstack_ipv6 needs AF_INET6, and a taken port names the address, as CPython says', () => {
    const r = py(
      lines(
        'import socket',
        'try:',
        '    socket.create_server(("", 65432), dualstack_ipv6=True)',
        'except ValueError as e:',
        '    print(e)',
        'a = socket.create_server(("127.0.0.1", 65432))',
        'try:',
        '    socket.create_server(("127.0.0.1", 65432))',
        'except OSError as e:',
        '    print(repr(e), e.errno)',
        'print(socket.socket().fileno())',
      ),
    );
    expect(r.stdout).toEqual([
      'dualstack_ipv6 requires AF_INET6 family',
      `OSError(98, "Address already in use (while attempting to bind on address ('127.0.0.1', 65432))") 98`,
      // the failed server's socket was closed, so its fd is free again
      '4',
    ]);
  });

  it('create_connection() to ::1 makes an AF_INET6 socket whose addresses are 4-tuples', () => {
    const { end } = run(CLIENT, lines('import socket', 'sock = socket.create_connection(("::1", 65432))', 'print(sock.getsockname(), sock.getpeername())', 'print(sock)'), 'echo-then-silence');
    expect(end.stdout).toEqual(["('::1', 50001, 0, 0) ('::1', 65432, 0, 0)", "<socket.socket fd=3, laddr=('::1', 50001, 0, 0), raddr=('::1', 65432, 0, 0)>"]);
  });
});
