import { describe, expect, it } from 'vitest';
import type { LoopWorld, ProgramInfo } from '../../../../src/core/select-loop/index.ts';
import { programInfo, runSource } from '../../../../src/core/select-loop/index.ts';
import { programById, programText } from '../../../../src/client/loop-programs.ts';

/**
 * The uring teaching module against its own documented semantics (the comment at the top of
 * src/core/select-loop/uring.ts). It is the one part of the interpreter that CPython cannot referee:
 * Python has no io_uring, so these tests are its referee.
 */

const INFO: ProgramInfo = { id: 'uring-test', title: 'uring test', description: '', file: 'uring_test.py', role: 'server', countsSyscalls: true };

const SETUP = `import socket
import uring

ring = uring.Ring(4)
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.bind(("127.0.0.1", 65432))
lsock.listen()
`;

function run(body: string, scenario = 'one-client', info: ProgramInfo = INFO): LoopWorld[] {
  const r = runSource(info, SETUP + body, scenario, { maxSteps: 2000 });
  if (!r.ok) throw new Error(`${r.problem.line}:${r.problem.col} ${r.problem.message}`);
  return [...r.run.worlds];
}

const last = (worlds: readonly LoopWorld[]) => worlds[worlds.length - 1] as LoopWorld;
const count = (w: LoopWorld, name: string) => w.syscalls?.counts[name] ?? 0;
/** The first world whose step made `call`. */
const after = (worlds: readonly LoopWorld[], call: string, nth = 1) => worlds.filter((w) => w.event.calls?.some((c) => c.call === call))[nth - 1] as LoopWorld;

describe('uring: the ring and its SQEs', () => {
  it('Ring() is one io_uring_setup() and takes the lowest free fd, so the listener is fd 4', () => {
    const worlds = run('print(lsock.fileno())\n');
    const end = last(worlds);
    expect(end.stdout).toEqual(['4']);
    expect(after(worlds, 'uring.Ring').kernel.otherFds).toEqual([3]);
    expect(end.ring).toMatchObject({ fd: 3, entries: 4, cqEntries: 8, sqpoll: false, sq: [], inFlight: [], cq: [] });
    expect(count(end, 'io_uring_setup')).toBe(1);
  });

  it('prep_* writes SQEs (op, fd, len, user_data) into the SQ without a system call', () => {
    const worlds = run('ring.prep_accept(4, user_data=("accept", 4))\nring.prep_recv(9, 100, user_data=7)\nring.prep_send(9, b"hey", user_data=8)\nring.prep_close(9, user_data=9)\n');
    const end = last(worlds);
    expect(end.ring?.sq.map((s) => [s.op, s.fd, s.len, s.userDataText])).toEqual([
      ['accept', 4, 0, "('accept', 4)"],
      ['recv', 9, 100, '7'],
      ['send', 9, 3, '8'],
      ['close', 9, 0, '9'],
    ]);
    expect(end.syscalls?.total).toBe(after(worlds, 'listen').syscalls?.total);
  });

  it('a full SQ refuses another SQE, as io_uring_get_sqe() returns NULL', () => {
    const end = last(run('for i in range(5):\n    ring.prep_recv(4, 1, user_data=i)\n'));
    expect(end.ring?.sq).toHaveLength(4);
    expect(end.tracebacks[0]?.type).toBe('RuntimeError');
  });

  it('submit() hands every SQE over in one io_uring_enter(), and makes none with an empty SQ', () => {
    const worlds = run('print(ring.submit())\nring.prep_close(4, user_data=1)\nring.prep_close(4, user_data=2)\nprint(ring.submit())\n');
    const end = last(worlds);
    expect(end.stdout).toEqual(['0', '2']);
    expect(count(end, 'io_uring_enter')).toBe(1);
    // Both closes were tried at once: the first closes fd 4, the second finds it gone (-EBADF).
    expect(end.ring?.cq.map((c) => [c.userDataText, c.res])).toEqual([
      ['1', 0],
      ['2', -9],
    ]);
    expect(end.ring?.sq).toEqual([]);
  });

  it('with sqpoll=True the kernel thread takes the SQEs and submit() makes no system call', () => {
    const r = runSource(INFO, SETUP.replace('uring.Ring(4)', 'uring.Ring(4, sqpoll=True)') + 'ring.prep_close(4, user_data=1)\nprint(ring.submit())\n', 'one-client');
    if (!r.ok) throw new Error(r.problem.message);
    const end = last(r.run.worlds);
    expect(end.stdout).toEqual(['1']);
    expect(count(end, 'io_uring_enter')).toBe(0);
    expect(end.ring?.cq.map((c) => c.res)).toEqual([0]);
  });
});

const ACCEPT_THEN_RECV = `ring.prep_accept(lsock.fileno(), user_data=1)
ring.submit()
cqe = ring.wait_cqe()
print(cqe.res, cqe.user_data)
ring.cqe_seen(cqe)
ring.prep_recv(cqe.res, 100, user_data=2)
ring.submit()
cqe = ring.wait_cqe()
print(cqe.res, cqe.buf)
ring.cqe_seen(cqe)
`;

describe('uring: requests in flight and the CQ', () => {
  it('a request that cannot finish waits in flight, and its CQE is posted in the step of the network event', () => {
    const worlds = run(ACCEPT_THEN_RECV);
    const end = last(worlds);
    expect(end.stdout).toEqual(['5 1', "6 b'hello\\n'"]);
    const connect = worlds.find((w) => w.event.kind === 'network' && w.event.input?.kind === 'connect') as LoopWorld;
    const before = worlds[connect.step - 1] as LoopWorld;
    expect(before.ring?.inFlight.map((s) => s.op)).toEqual(['accept']);
    expect(connect.ring?.inFlight).toEqual([]);
    expect(connect.ring?.cq.map((c) => [c.op, c.res])).toEqual([['accept', 5]]);
    const data = worlds.find((w) => w.event.kind === 'network' && w.event.input?.kind === 'send') as LoopWorld;
    expect(data.ring?.cq.map((c) => [c.op, c.res, c.buf])).toEqual([['recv', 6, 'hello\n']]);
    expect(data.kernel.sockets.find((s) => s.fd === 5 && s.kind === 'connected')).toMatchObject({ recvBuffer: '' });
  });

  it('wait_cqe() on an empty CQ enters the kernel and sleeps (one step), then wakes with one io_uring_enter() counted', () => {
    const worlds = run(ACCEPT_THEN_RECV);
    const entered = after(worlds, 'ring.wait_cqe');
    expect(entered.event.calls?.[0]?.result).toBeUndefined();
    expect(entered.event.calls?.[0]?.syscall).toBeUndefined();
    expect(entered.threads[0]?.wait).toEqual({ call: 'io_uring_enter', ring: 3, want: 1, inFlight: 1 });
    expect(entered.syscalls?.counts['io_uring_enter']).toBe(1);
    const woke = after(worlds, 'ring.wait_cqe', 2);
    expect(woke.event.calls?.[0]).toMatchObject({ call: 'ring.wait_cqe', syscall: 'io_uring_enter' });
    expect(woke.syscalls?.counts['io_uring_enter']).toBe(2);
    expect(woke.syscalls?.wakeups).toBe(1);
    // Two submits and two sleeping waits: four io_uring_enter() calls, two wake-ups, one message.
    expect(last(worlds).syscalls).toMatchObject({ counts: { io_uring_enter: 4 }, wakeups: 2, messages: 1 });
  });

  it('wait_cqe() with a CQE waiting reads it from shared memory: no system call, no wake-up', () => {
    const end = last(run('ring.prep_close(4, user_data=1)\nring.submit()\ncqe = ring.wait_cqe()\nprint(cqe)\n'));
    expect(end.stdout).toEqual(['Cqe(res=0, user_data=1)']);
    expect(end.syscalls).toMatchObject({ counts: { io_uring_enter: 1 }, wakeups: 0 });
  });

  it('submit_and_wait() is one io_uring_enter() that submits and then sleeps, and it enters even when a CQE is there', () => {
    const worlds = run('ring.prep_accept(4, user_data=1)\nprint(ring.submit_and_wait(1))\nprint(ring.submit_and_wait(1))\n');
    const end = last(worlds);
    expect(end.stdout).toEqual(['1', '0']);
    expect(count(end, 'io_uring_enter')).toBe(2);
    expect(end.syscalls?.wakeups).toBe(1);
  });

  it('peek_cqe() never enters the kernel; cqe_seen() frees only the oldest CQE', () => {
    const end = last(
      run('print(ring.peek_cqe())\nring.prep_close(4, user_data=1)\nring.prep_close(4, user_data=2)\nring.submit()\nfirst = ring.peek_cqe()\nring.cqe_seen(first)\nsecond = ring.peek_cqe()\nprint(first.user_data, second.user_data)\nring.cqe_seen(first)\n'),
    );
    expect(end.stdout).toEqual(['None', '1 2']);
    expect(count(end, 'io_uring_enter')).toBe(1);
    expect(end.tracebacks[0]?.type).toBe('ValueError');
    expect(end.ring?.cq.map((c) => c.userDataText)).toEqual(['2']);
  });

  it('a failed request completes with -errno: a recv on a reset connection gives -ECONNRESET', () => {
    const end = last(run(ACCEPT_THEN_RECV + 'ring.prep_recv(5, 100, user_data=3)\nring.submit()\ncqe = ring.wait_cqe()\nprint(cqe.res)\n', 'client-resets'));
    expect(end.stdout).toEqual(['5 1', "10 b'hi from A\\n'", '-104']);
  });

  it('a send may take only part: res says how much, with a 16-byte send buffer', () => {
    const end = last(
      run(ACCEPT_THEN_RECV + 'ring.prep_send(5, b"x" * 40, user_data=3)\nring.submit()\ncqe = ring.wait_cqe()\nprint(cqe.res)\n', 'slow-reader'),
    );
    expect(end.stdout.slice(-1)).toEqual(['16']);
  });

  it('a full CQ leaves completions in flight until cqe_seen() frees a slot', () => {
    const worlds = run('for i in range(4):\n    ring.prep_close(99, user_data=i)\nring.submit()\nfor i in range(4):\n    ring.prep_close(99, user_data=i + 4)\nring.submit()\nring.prep_close(99, user_data=8)\nring.submit()\nring.cqe_seen(ring.peek_cqe())\n');
    const full = after(worlds, 'ring.submit', 3);
    expect(full.ring?.cq).toHaveLength(8);
    expect(full.ring?.inFlight.map((s) => s.userDataText)).toEqual(['8']);
    const freed = after(worlds, 'ring.cqe_seen');
    expect(freed.ring?.cq.map((c) => c.userDataText)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(freed.ring?.inFlight).toEqual([]);
  });
});

describe('the lesson\'s two echo servers, on the same workload', () => {
  const ends = Object.fromEntries(
    ['epoll-echo', 'uring-echo'].map((id) => {
      const r = runSource(programInfo(id), programText(id), 'three-clients');
      if (!r.ok) throw new Error(r.problem.message);
      return [id, last(r.run.worlds)];
    }),
  ) as Record<'epoll-echo' | 'uring-echo', LoopWorld>;

  it('echo the same bytes to every client', () => {
    const got = (w: LoopWorld) => w.kernel.peers.map((p) => [p.name, p.received]);
    expect(got(ends['uring-echo'])).toEqual(got(ends['epoll-echo']));
    expect(ends['uring-echo'].kernel.peers.map((p) => p.received)).toEqual(['hi from A\nbye\n', 'hi from B\n', 'hi from C\n']);
  });

  it('sleep and wake as often, but make different system calls: the completion side only io_uring_enter()', () => {
    const epoll = ends['epoll-echo'].syscalls;
    const uring = ends['uring-echo'].syscalls;
    expect(epoll?.wakeups).toBe(uring?.wakeups);
    expect(epoll?.messages).toBe(4);
    expect(uring?.messages).toBe(4);
    // Readiness: per connection epoll_wait, accept4, ioctl, epoll_ctl; per message epoll_wait, recvfrom, sendto; per close epoll_wait, recvfrom, epoll_ctl, close.
    expect(epoll?.serving).toBe(3 * 4 + 4 * 3 + 3 * 4);
    // Completion: per connection a wake and one submit of recv + accept; per message a wake and a submit each for send and recv; per close a wake and a submit; and the first submit.
    expect(uring?.serving).toBe(1 + 3 * 2 + 4 * 3 + 3 * 2);
    expect(Object.keys(ends['uring-echo'].syscalls?.counts ?? {})).not.toContain('recvfrom');
    expect(programById('uring-echo').countsSyscalls).toBe(true);
  });
});
