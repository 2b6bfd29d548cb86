import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { runSource } from '../../../../src/core/select-loop/index.ts';
import { lines, py, SCRATCH } from './run.ts';

/** Runs a server program against a scenario and returns every world. */
function serve(text: string, scenario: string): readonly LoopWorld[] {
  const r = runSource(SCRATCH, text, scenario, { maxSteps: 5000 });
  if (!r.ok) throw new Error(r.problem.message);
  return r.run.worlds;
}

const ECHO = lines(
  'import asyncio',
  '',
  'async def handle(reader, writer):',
  '    while True:',
  '        line = await reader.readline()',
  '        if not line:',
  '            break',
  '        writer.write(line)',
  '        await writer.drain()',
  '    writer.close()',
  '',
  'async def main():',
  '    server = await asyncio.start_server(handle, "127.0.0.1", 65432)',
  '    async with server:',
  '        await server.serve_forever()',
  '',
  'asyncio.run(main())',
);

describe('coroutines and await', () => {
  it('calling an async def makes a coroutine and runs nothing; awaiting it runs its body and gives its return value', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def f(x):',
        '    print("running", x)',
        '    return x * 2',
        'async def main():',
        '    c = f(1)',
        '    print(c)',
        '    f(99)',
        '    print(await c)',
        'asyncio.run(main())',
      ),
    );
    expect(r.stdout).toEqual(['<coroutine object f>', 'running 1', '2']);
  });

  it('an await of something that is not awaitable, or of a coroutine already awaited, raises as CPython does', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def f():',
        '    return 1',
        'async def main():',
        '    for bad in [42, "x", None]:',
        '        try:',
        '            await bad',
        '        except TypeError as e:',
        '            print(e)',
        '    c = f()',
        '    await c',
        '    try:',
        '        await c',
        '    except RuntimeError as e:',
        '        print(e)',
        'asyncio.run(main())',
      ),
    );
    expect(r.stdout).toEqual([
      "object int can't be used in 'await' expression",
      "object str can't be used in 'await' expression",
      "object NoneType can't be used in 'await' expression",
      'cannot reuse already awaited coroutine',
    ]);
  });

  it('asyncio.run refuses what is not a coroutine, and a second loop inside the first; create_task needs a running loop', () => {
    expect(py(lines('import asyncio', 'asyncio.run(1)')).tracebacks[0]).toMatchObject({ type: 'ValueError', message: 'a coroutine was expected, got 1' });
    const nested = py(lines('import asyncio', 'async def main():', '    asyncio.run(main())', 'asyncio.run(main())'));
    expect(nested.tracebacks[0]).toMatchObject({ type: 'RuntimeError', message: 'asyncio.run() cannot be called from a running event loop' });
    const outside = py(lines('import asyncio', 'async def f():', '    pass', 'asyncio.create_task(f())'));
    expect(outside.tracebacks[0]).toMatchObject({ type: 'RuntimeError', message: 'no running event loop' });
  });

  it('async with needs an asynchronous context manager', () => {
    const r = py(lines('import asyncio', 'async def main():', '    async with 5:', '        pass', 'asyncio.run(main())'));
    expect(r.tracebacks[0]).toMatchObject({ type: 'TypeError', message: "'int' object does not support the asynchronous context manager protocol" });
  });
});

describe('tasks, gather and sleep', () => {
  it('tasks are named Task-N in the order made and run in FIFO order; gather returns results in argument order', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def work(name, delay):',
        '    print("start", name, asyncio.current_task().get_name())',
        '    await asyncio.sleep(delay)',
        '    print("end", name)',
        '    return name',
        'async def main():',
        '    print(await asyncio.gather(work("a", 0.2), work("b", 0.1)))',
        'asyncio.run(main())',
      ),
    );
    expect(r.stdout).toEqual(['start a Task-2', 'start b Task-3', 'end b', 'end a', "['a', 'b']"]);
    expect(r.end.clock).toBe(200_000);
  });

  it('an exception inside a task surfaces through gather, with the task’s frames in the traceback', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def bad():',
        '    await asyncio.sleep(0)',
        '    raise ValueError("no")',
        'async def main():',
        '    await asyncio.gather(asyncio.sleep(1), bad())',
        'asyncio.run(main())',
      ),
    );
    expect(r.tracebacks).toHaveLength(1);
    expect(r.tracebacks[0]).toMatchObject({ type: 'ValueError', message: 'no' });
    expect(r.tracebacks[0]?.entries.map((e) => [e.fn, e.line])).toEqual([
      ['<module>', 7],
      ['main', 6],
      ['bad', 4],
    ]);
    // The other child was cancelled when asyncio.run() shut down, so its 1 s timer never fired.
    expect(r.end.clock).toBe(0);
    expect(r.end.exited).toBe(true);
  });

  it('cancel() throws CancelledError in at the await the task waits on; its finally runs and it ends cancelled', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def sleeper():',
        '    try:',
        '        await asyncio.sleep(10)',
        '    finally:',
        '        print("cleaning up")',
        'async def main():',
        '    t = asyncio.create_task(sleeper())',
        '    await asyncio.sleep(0)',
        '    t.cancel()',
        '    try:',
        '        await t',
        '    except asyncio.CancelledError:',
        '        print("cancelled", t.cancelled(), t.done())',
        'asyncio.run(main())',
      ),
    );
    expect(r.stdout).toEqual(['cleaning up', 'cancelled True True']);
    expect(r.end.clock).toBe(0);
  });

  it('a task left running when main returns is cancelled by asyncio.run, and the loop’s fds are closed', () => {
    const r = py(
      lines(
        'import asyncio',
        'async def forever():',
        '    try:',
        '        await asyncio.sleep(100)',
        '    except asyncio.CancelledError:',
        '        print("cancelled at shutdown")',
        '        raise',
        'async def main():',
        '    asyncio.create_task(forever())',
        '    await asyncio.sleep(0)',
        'asyncio.run(main())',
        'print("after")',
      ),
    );
    expect(r.stdout).toEqual(['cancelled at shutdown', 'after']);
    const calls = r.worlds.flatMap((w) => w.event.calls ?? []).filter((c) => ['unregister', 'close', 'selector.close'].includes(c.call));
    expect(calls.map((c) => `${c.call} ${c.fd}`)).toEqual(['unregister 4', 'close 4', 'close 5', 'selector.close 3']);
  });

  it('a sleeping task is a timer in the loop, and the waiting loop is a select() that times out at it', () => {
    const r = py(lines('import asyncio', 'async def main():', '    await asyncio.sleep(1.5)', 'asyncio.run(main())'));
    const waiting = r.worlds.find((w) => w.asyncio?.timers.length === 1 && w.asyncio.current === undefined && w.asyncio.ntodo === 0);
    expect(waiting?.asyncio?.timers[0]).toMatchObject({ when: 1_500_000, handle: { kind: 'set-result', what: 'sleep' } });
    expect(waiting?.asyncio?.tasks[0]).toMatchObject({ name: 'Task-1', state: 'waiting', awaiting: { kind: 'sleep', until: 1_500_000 } });
    expect(waiting?.threads[0]?.wait).toEqual({ call: 'select', fds: [4], until: 1_500_000 });
  });
});

describe('streams and the server, against CPython’s fds and callbacks', () => {
  it('the loop takes fd 3 (epoll) and 4, 5 (self-pipe); the listener is fd 6 and the first client fd 7, handled by Task-4', () => {
    const worlds = serve(ECHO, 'one-client');
    const calls = worlds.flatMap((w) => (w.event.calls ?? []).filter((c) => c.call !== 'select' && c.call !== 'socketpair').map((c) => `${c.call} ${c.fd ?? '-'} ${c.raised ?? c.result ?? ''}`));
    expect(calls.slice(0, 10)).toEqual([
      'DefaultSelector 3 epoll fd 3',
      'setblocking 4 None',
      'setblocking 5 None',
      'register 4 SelectorKey',
      'socket 6 fd 6',
      'setsockopt 6 None',
      'bind 6 None',
      'setblocking 6 None',
      'listen 6 None',
      'register 6 SelectorKey',
    ]);
    const waiting = worlds.find((w) => w.asyncio?.tasks.some((t) => t.awaiting?.kind === 'readline'));
    const handler = waiting?.asyncio?.tasks.find((t) => t.coro === 'handle');
    expect(handler).toMatchObject({ name: 'Task-4', state: 'waiting', awaiting: { kind: 'readline', fd: 7 }, line: 5, stack: ['handle'] });
    expect(waiting?.selector?.registry.map((r) => [r.fd, r.events])).toEqual([
      [4, ['EVENT_READ']],
      [6, ['EVENT_READ']],
      [7, ['EVENT_READ']],
    ]);
    const end = worlds[worlds.length - 1] as LoopWorld;
    expect(end.kernel.peers[0]?.received).toBe('hello\n');
  });

  it('select() puts the ready socket’s callback in the ready queue, and each callback is a step of its own', () => {
    const worlds = serve(ECHO, 'one-client');
    const i = worlds.findIndex((w) => w.event.kind === 'loop' && w.asyncio?.ready[0]?.kind === 'read');
    const w = worlds[i] as LoopWorld;
    expect(w.asyncio?.ready).toEqual([{ kind: 'read', fd: 7, sock: expect.any(Number) }]);
    expect(w.asyncio?.ntodo).toBe(1);
    const next = worlds[i + 1] as LoopWorld;
    expect(next.event.calls?.map((c) => c.call)).toEqual(['recv']);
    // recv() woke the reader's waiter: the handler's step waits in the queue for the next turn.
    expect(next.asyncio?.ready).toEqual([{ kind: 'task-step', task: 4 }]);
    expect(next.asyncio?.ntodo).toBe(0);
    expect(worlds[i + 2]?.event.calls?.map((c) => c.call)).toEqual(['select']);
    expect(worlds[i + 3]?.event).toMatchObject({ kind: 'line', task: 'Task-4', line: 5 });
  });

  it('readexactly() raises IncompleteReadError with what it got at EOF; read(n) returns what is there', () => {
    const text = lines(
      'import asyncio',
      '',
      'async def handle(reader, writer):',
      '    print(await reader.read(3))',
      '    try:',
      '        await reader.readexactly(10)',
      '    except asyncio.IncompleteReadError as e:',
      '        print(e, e.partial, e.expected)',
      '    writer.close()',
      '',
      'async def main():',
      '    server = await asyncio.start_server(handle, "127.0.0.1", 65432)',
      '    await server.serve_forever()',
      '',
      'asyncio.run(main())',
    );
    const end = serve(text, 'one-client').at(-1) as LoopWorld;
    expect(end.stdout).toEqual(["b'hel'", "3 bytes read on a total of 10 expected bytes b'lo\\n' 10"]);
  });

  it('a time.sleep() in a handler blocks the thread that runs the loop: what others send waits unread in the kernel', () => {
    const text = ECHO.replace('        writer.write(line)', '        time.sleep(1)\n        writer.write(line)').replace('import asyncio', 'import asyncio\nimport time');
    const worlds = serve(text, 'three-clients');
    const frozen = worlds.find((w) => w.threads[0]?.wait?.call === 'sleep' && w.kernel.peers.some((p) => p.name === 'B' && p.sent !== ''));
    expect(frozen).toBeDefined();
    const b = frozen?.kernel.peers.find((p) => p.name === 'B');
    expect(b?.readByProgram).toBe('');
    expect(frozen?.asyncio?.current).toBeDefined();
    const end = worlds[worlds.length - 1] as LoopWorld;
    expect(end.kernel.peers.map((p) => p.received)).toEqual(['hi from A\nbye\n', 'hi from B\n', 'hi from C\n']);
  });

  it('a handler that ends with an exception is reported as CPython 3.11.7 reports it, and its connection closed', () => {
    const text = ECHO.replace('        writer.write(line)', '        writer.write(line.decode())');
    const end = serve(text, 'one-client').at(-1) as LoopWorld;
    expect(end.output.slice(0, 2)).toEqual(['Unhandled exception in client_connected_cb', 'transport: <_SelectorSocketTransport fd=7>']);
    expect(end.tracebacks[0]).toMatchObject({ type: 'TypeError', message: "data argument must be a bytes-like object, not 'str'" });
    expect(end.kernel.peers[0]?.finReceived).toBe(true);
  });
});
