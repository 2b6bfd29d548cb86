import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lines, problem, py } from './run.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/python/${name}`, import.meta.url), 'utf8');

describe('the Python subset, construct by construct', () => {
  it('assignment: tuples, chains, swaps, augmented, attributes and subscripts', () => {
    const r = py(lines('x, y = 1, 2', 'x, y = y, x', 'a = b = [1]', 'a += [2]', 'd = {}', 'd["k"] = a', 'd["k"][0] = 9', 'n = 5', 'n -= 2', 'n *= 4', 'print(x, y, b, d, n)'));
    expect(r.stdout).toEqual(["2 1 [9, 2] {'k': [9, 2]} 12"]);
  });

  it('if/elif/else, while with break/continue/else, for with tuple targets and else', () => {
    const r = py(
      lines(
        'for n in [3, 12, 70]:',
        '    if n > 50:',
        '        print("big")',
        '    elif n > 10:',
        '        print("mid")',
        '    else:',
        '        print("small")',
        'i = 0',
        'while i < 5:',
        '    i += 1',
        '    if i == 2:',
        '        continue',
        '    if i == 4:',
        '        break',
        'else:',
        '    print("never")',
        'for k, (a, b) in enumerate([(1, 2)]):',
        '    print(k, a, b)',
        'else:',
        '    print("done", i)',
      ),
    );
    expect(r.stdout).toEqual(['small', 'mid', 'big', '0 1 2', 'done 4']);
  });

  it('def with defaults, keyword-only and keyword arguments; return; lambda', () => {
    const r = py(lines('def f(a, b=2, *, c=3):', '    return a + b * c', '', 'g = lambda x: x - 1', 'print(f(1), f(1, 1), f(1, c=0), f(b=5, a=0), g(3))'));
    expect(r.stdout).toEqual(['7 4 1 15 2']);
  });

  it('classes as data holders, with methods, class attributes and inheritance', () => {
    const r = py(
      lines('class A:', '    k = 10', '    def __init__(self, v):', '        self.v = v', '    def get(self):', '        return self.v + self.k', 'class B(A):', '    pass', 'b = B(1)', 'b.v = 5', 'print(b.get(), isinstance(b, A), isinstance(b, B), isinstance(A(0), B))'),
    );
    expect(r.stdout).toEqual(['15 True True False']);
  });

  it('try/except/else/finally with classes, tuples, as, bare raise and user exceptions', () => {
    const r = py(
      lines(
        'class Oops(ValueError):',
        '    pass',
        'for v in [1, 0]:',
        '    try:',
        '        if v == 0:',
        '            raise Oops("zero")',
        '    except (KeyError, Oops) as e:',
        '        print("caught", e, isinstance(e, ValueError))',
        '    else:',
        '        print("fine")',
        '    finally:',
        '        print("end", v)',
        'try:',
        '    try:',
        '        {}["x"]',
        '    except KeyError:',
        '        raise',
        'except LookupError as e:',
        '    print(repr(e))',
      ),
    );
    expect(r.stdout).toEqual(['fine', 'end 1', 'caught zero True', 'end 0', "KeyError('x')"]);
  });

  it('f-strings with !r, format specs and nested expressions; % and str.format', () => {
    const r = py(lines('x = "a\'b"', 'n = 3.14159', 'print(f"{x!r} {n:.2f} {7:03d} {255:#x} {\'hi\':>4}| {[1, 2][1]}", "%s=%d" % ("k", 2), "{}-{}".format(1, 2))'));
    expect(r.stdout).toEqual(['"a\'b" 3.14 007 0xff   hi| 2 k=2 1-2']);
    expect(py(lines('x = 5', 'print(f"{x=} {x = :>3}", {3, 1, 2}, 1e20, -0.0, 1e-05)')).stdout).toEqual(['x=5 x =   5 {1, 2, 3} 1e+20 -0.0 1e-05']);
  });

  it('comprehensions and generator expressions, slices, and the built-ins', () => {
    const r = py(
      lines(
        'xs = list(range(10))',
        'print([x * x for x in xs if x % 3 == 0], {x % 3 for x in xs}, {k: v for k, v in [("a", 1)]})',
        'print(sum(x for x in xs), xs[2:8:2], xs[::-1][:3], xs[-2:], "hello"[1:-1])',
        'print(len(b"ab"), sorted([3, 1, 2]), min(xs), max(xs), any([]), all([]), list(zip("ab", [1, 2])))',
      ),
    );
    expect(r.stdout).toEqual(["[0, 9, 36, 81] {0, 1, 2} {'a': 1}", "45 [2, 4, 6] [9, 8, 7] [8, 9] ell", "2 [1, 2, 3] 0 9 False True [('a', 1), ('b', 2)]"]);
  });

  it('bytes and str: encode, decode, reprs, methods', () => {
    const r = py(lines('b = "héllo\\n".encode()', 'print(b, b.decode().strip(), b[0], b[:2], b"a,b".split(b","), b.upper(), "x".join(["a", "b"]))'));
    expect(r.stdout).toEqual(["b'h\\xc3\\xa9llo\\n' héllo 104 b'h\\xc3' [b'a', b'b'] b'H\\xc3\\xa9LLO\\n' axb"]);
  });

  it('with … as on a socket closes it on the way out; with lock: acquires and releases', () => {
    const r = py(lines('import socket, threading', 'lock = threading.Lock()', 'with socket.socket() as s:', '    with lock:', '        print(s.fileno(), lock.locked())', 'print(s.fileno(), lock.locked())'));
    expect(r.stdout).toEqual(['3 True', '-1 False']);
  });

  it('matches CPython on the fixture programs', () => {
    expect(py(fixture('struct_codec.py')).stdout.slice(0, 2)).toEqual(['0100070000000568656c6c6f0200080000000668c3a96c6c6f03000900000000', "1 7 b'hello' hello"]);
    expect(py(fixture('socketpair_threads.py')).stdout).toEqual(['3 4', 'Thread-1 (reader) got EOF', "b'one two three' False"]);
  });
});

describe('errors a learner sees', () => {
  it('a syntax error names its line and column', () => {
    expect(problem('x = 1\nif x\n    pass\n')).toMatchObject({ kind: 'syntax', line: 2, message: expect.stringMatching(/^invalid syntax/) });
  });

  it.each([
    ['if True:\n    break\n', 2, "'break' outside loop"],
    ['def f():\n    continue\n', 2, "'continue' not properly in loop"],
    ['return 1\n', 1, "'return' outside function"],
    ['x = await f()\n', 1, "'await' outside function"],
    ['def f():\n    await g()\n', 2, "'await' outside async function"],
    ['def f():\n    async with g():\n        pass\n', 2, "'async with' outside async function"],
  ])('refuses what CPython refuses to compile: %s', (text, line, message) => {
    expect(problem(text)).toMatchObject({ kind: 'syntax', line, message });
  });

  it.each([
    ['async def f():\n    async for x in y:\n        pass\n', 2, 'async for'],
    ['def f():\n    yield 1\n', 2, "'yield'"],
    ['@staticmethod\ndef f():\n    pass\n', 1, 'decorator'],
    ['x = 1 < 2 < 3\n', 1, 'chained comparison'],
    ['def f(*args):\n    pass\n', 1, '*args'],
    ['print(x := 1)\n', 1, ':='],
    ['with a as b, c as d:\n    pass\n', 1, 'several context managers'],
    ['def f():\n    def g():\n        pass\n', 2, 'closure'],
  ])('refuses unsupported syntax, once, with where and what is supported: %s', (text, line, what) => {
    const p = problem(text);
    expect(p.kind).toBe('unsupported');
    expect(p.line).toBe(line);
    expect(p.col).toBeGreaterThan(0);
    expect(p.message).toContain(what);
    expect(p.message).toContain('Supported: import');
  });

  it('a runaway loop stops at the step cap, saying so', () => {
    const r = py(lines('n = 0', 'while True:', '    n += 1'), 500);
    expect(r.stop).toEqual({ reason: 'step-cap', steps: 500 });
    expect(r.end.threads[0]?.locals['n']).toBe('249');
  });

  it('an uncaught exception gives a CPython-like traceback, as data and as text', () => {
    const r = py(lines('def inner(x):', '    return x[5]', '', '', 'def outer():', '    return inner([1, 2])', '', '', 'outer()'));
    expect(r.stop.reason).toBe('exited');
    expect(r.tracebacks).toEqual([
      {
        thread: 'MainThread',
        entries: [
          { file: 'scratch.py', line: 9, fn: '<module>', code: 'outer()' },
          { file: 'scratch.py', line: 6, fn: 'outer', code: 'return inner([1, 2])' },
          { file: 'scratch.py', line: 2, fn: 'inner', code: 'return x[5]' },
        ],
        type: 'IndexError',
        message: 'list index out of range',
        text: [
          'Traceback (most recent call last):',
          '  File "scratch.py", line 9, in <module>',
          '    outer()',
          '  File "scratch.py", line 6, in outer',
          '    return inner([1, 2])',
          '  File "scratch.py", line 2, in inner',
          '    return x[5]',
          'IndexError: list index out of range',
        ],
      },
    ]);
  });

  it.each([
    ['print(nope)', 'NameError', "name 'nope' is not defined"],
    ['def f():\n    y = x\n    x = 1\nf()', 'UnboundLocalError', "cannot access local variable 'x' where it is not associated with a value"],
    ['None + 1', 'TypeError', "unsupported operand type(s) for +: 'NoneType' and 'int'"],
    ['"a" + 1', 'TypeError', 'can only concatenate str (not "int") to str'],
    ['1 / 0', 'ZeroDivisionError', 'division by zero'],
    ['[].pop()', 'IndexError', 'pop from empty list'],
    ['{}["k"]', 'KeyError', "'k'"],
    ['a, b = [1, 2, 3]', 'ValueError', 'too many values to unpack (expected 2)'],
    ['a, b = [1]', 'ValueError', 'not enough values to unpack (expected 2, got 1)'],
    ['def f(a):\n    pass\nf()', 'TypeError', "f() missing 1 required positional argument: 'a'"],
    ['def f():\n    pass\nf(1)', 'TypeError', 'f() takes 0 positional arguments but 1 was given'],
    ['b"\\xff".decode()', 'UnicodeDecodeError', "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"],
    ['import struct\nstruct.pack("!H", 70000)', 'struct.error', "'H' format requires 0 <= number <= 65535"],
    ['import nosuch', 'ModuleNotFoundError', "No module named 'nosuch'"],
    ['(1).foo', 'AttributeError', "'int' object has no attribute 'foo'"],
    ['len(5)', 'TypeError', "object of type 'int' has no len()"],
    ['raise ValueError', 'ValueError', ''],
    ['import socket\nsocket.socket().accept()', 'OSError', '[Errno 22] Invalid argument'],
    ['import selectors\nselectors.DefaultSelector().register(5, selectors.EVENT_READ)', 'TypeError', "a socket object is required, not 'int'"],
  ])('%s raises %s as CPython words it', (text, type, message) => {
    const r = py(`${text}\n`);
    expect(r.tracebacks.map((t) => [t.type, t.message])).toEqual([[type, message]]);
    expect(r.tracebacks[0]?.text.at(-1)).toBe(message === '' ? type : `${type}: ${message}`);
  });

  it('an exception raised while handling another shows both, as CPython chains them', () => {
    const r = py(lines('try:', '    {}["k"]', 'except KeyError:', '    raise ValueError("v")'));
    expect(r.tracebacks[0]?.text).toEqual([
      'Traceback (most recent call last):',
      '  File "scratch.py", line 2, in <module>',
      '    {}["k"]',
      "KeyError: 'k'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "scratch.py", line 4, in <module>',
      '    raise ValueError("v")',
      'ValueError: v',
    ]);
    expect(py(lines('try:', '    {}["k"]', 'except KeyError:', '    raise ValueError("v") from None')).tracebacks[0]?.text).toHaveLength(4);
  });

  it('an exception in a thread other than the main one names the thread and ends only it', () => {
    const r = py(lines('import threading', 'def boom():', '    1 / 0', 't = threading.Thread(target=boom)', 't.start()', 't.join()', 'print("main goes on")'));
    expect(r.end.output[0]).toBe('Exception in thread Thread-1 (boom):');
    expect(r.stdout).toEqual(['main goes on']);
  });
});

describe('step rules', () => {
  const stepLinesOf = (text: string) =>
    py(text)
      .worlds.filter((w) => w.event.kind === 'line')
      .map((w) => w.event.line);

  it('try:, else: and finally: take no step; an except clause does', () => {
    expect(stepLinesOf(lines('try:', '    x = 1 / 0', 'except ZeroDivisionError:', '    x = 0', 'else:', '    x = 2', 'finally:', '    x += 1'))).toEqual([2, 3, 4, 8]);
  });

  it('a while test and a for item take a step each time round; leaving a with block takes a step on its line', () => {
    expect(stepLinesOf(lines('import threading', 'lock = threading.Lock()', 'for i in range(2):', '    with lock:', '        pass'))).toEqual([1, 2, 3, 4, 5, 4, 3, 4, 5, 4, 3]);
  });

  it('a call ends its line’s step; the return finishes the caller’s line, without repeating the calls before it', () => {
    const r = py(lines('def f():', '    return 2', '', '', 'x = print("once") or f() + f()', 'print(x)'));
    expect(r.worlds.filter((w) => w.event.kind === 'line').map((w) => w.event.line)).toEqual([1, 5, 2, 2, 6]);
    expect(r.stdout).toEqual(['once', '4']);
  });

  it('a line that waits after a callee returned keeps the value: the function is not called again', () => {
    const r = py(fixture('line_reruns.py'));
    expect(r.stdout).toEqual(['f runs', '4']);
    const waited = r.worlds.find((w) => w.threads[0]?.wait?.call === 'recv');
    expect(waited?.threads[0]?.frames[0]?.memo).toEqual([{ kind: 'value', value: { type: 'int', value: 1 } }]);
  });

  it('threads take turns one step each, round-robin', () => {
    const r = py(lines('import threading', 'def work(n):', '    a = n', '    b = n', 'for k in range(2):', '    threading.Thread(target=work, args=(k,)).start()'));
    const order = r.worlds.filter((w) => w.event.kind === 'line').map((w) => `${w.event.thread}:${w.event.line}`);
    expect(order).toEqual([
      'MainThread:1',
      'MainThread:2',
      'MainThread:5',
      'MainThread:6',
      'Thread-1 (work):3',
      'MainThread:5',
      'Thread-1 (work):4',
      'MainThread:6',
      'Thread-2 (work):3',
      'MainThread:5',
      'Thread-2 (work):4',
    ]);
  });

  it('time.sleep waits in simulated time, which jumps to the wake-up when everyone waits', () => {
    const r = py(lines('import time', 't0 = time.monotonic()', 'time.sleep(1.5)', 'print(time.monotonic() - t0)'));
    expect(r.stdout).toEqual(['1.5']);
    expect(r.worlds.some((w) => w.event.kind === 'clock')).toBe(true);
  });
});
