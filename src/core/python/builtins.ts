import type { HeapObj, PyValue } from '../select-loop/py-value.ts';
import { NONE, bool, bytes, float, int, str, tuple, utf8Decode, utf8Encode } from '../select-loop/py-value.ts';
import { SOCKET_CONSTANTS, closeValue, socketFunction, socketMethod } from '../select-loop/python-socket.ts';
import { keyAttr, selCreate, selectorMethod } from '../select-loop/python-selectors.ts';
import { URING_FUNCTIONS, cqeAttr, ringCreate, ringMethod } from '../select-loop/python-uring.ts';
import { EVENT_READ, EVENT_WRITE } from '../select-loop/selector.ts';
import { ERRNO, EXCEPTION_NAMES, exc, isExceptionClass } from './exceptions.ts';
import type { Machine } from './machine.ts';
import { Blocked, PartialCall, PyError } from './machine.ts';
import { structCall } from './struct.ts';
import { ASYNCIO_FUNCTIONS, ASYNCIO_TYPES, asyncioAttr, asyncioFunction, asyncioMethod, serverClose } from '../select-loop/python-asyncio.ts';
import { compareValues, formatValue, iterate, pyEquals, pyStr } from './values.ts';

/** The built-in functions, types and modules the subset offers, and the methods of their values. */

const FUNCTIONS = [
  'print',
  'len',
  'range',
  'enumerate',
  'isinstance',
  'repr',
  'input',
  'sum',
  'min',
  'max',
  'sorted',
  'reversed',
  'abs',
  'zip',
  'any',
  'all',
  'hex',
  'ord',
  'chr',
  'getattr',
  'hasattr',
  'setattr',
  'round',
  'divmod',
  'format',
  'id',
  'hash',
  'callable',
  'iter',
  'next',
];
const TYPES = ['int', 'str', 'bytes', 'bool', 'float', 'list', 'tuple', 'dict', 'set', 'object', 'type', 'bytearray'];

export const BUILTIN_NAMES: ReadonlySet<string> = new Set([...FUNCTIONS, ...TYPES, ...EXCEPTION_NAMES]);

type Kwargs = Readonly<Record<string, PyValue>>;

function arg(m: Machine, args: readonly PyValue[], i: number, fn: string): PyValue {
  const v = args[i];
  if (v === undefined) return m.fail('TypeError', `${fn}() missing required argument (pos ${i + 1})`);
  return v;
}

function intOf(m: Machine, v: PyValue): number {
  if (v.type === 'int') return v.value;
  if (v.type === 'bool') return Number(v.value);
  return m.fail('TypeError', `'${m.typeName(v)}' object cannot be interpreted as an integer`);
}

function textOf(m: Machine, v: PyValue | undefined, fn: string): string {
  if (v?.type === 'str') return v.value;
  return m.fail('TypeError', `${fn} arg must be None or str`);
}

function heapList(m: Machine, v: PyValue): Extract<HeapObj, { kind: 'list' }> {
  const o = v.type === 'list' ? m.heap(v.ref) : undefined;
  if (o?.kind !== 'list') return m.fail('TypeError', 'expected a list');
  return o;
}

function lengthOf(m: Machine, v: PyValue): number {
  switch (v.type) {
    case 'str':
    case 'bytes':
      return [...(v.type === 'str' ? v.value : v.value)].length;
    case 'tuple':
      return v.items.length;
    case 'range':
      return Math.max(0, Math.ceil((v.stop - v.start) / v.step));
    case 'list':
    case 'set':
    case 'dict':
      return iterate(m, v).length;
    default:
      return m.fail('TypeError', `object of type '${m.typeName(v)}' has no len()`);
  }
}

function writeOut(m: Machine, text: string): void {
  const w = m.world;
  const pieces = text.split('\n');
  const output = [...w.output];
  const stdout = [...w.stdout];
  const first = pieces[0] as string;
  if (w.outputOpen && output.length > 0) {
    output[output.length - 1] += first;
    stdout[stdout.length - 1] += first;
  } else {
    output.push(first);
    stdout.push(first);
  }
  for (const p of pieces.slice(1, -1)) {
    output.push(p);
    stdout.push(p);
  }
  const last = pieces[pieces.length - 1] as string;
  if (pieces.length > 1 && last !== '') {
    output.push(last);
    stdout.push(last);
  }
  m.world = { ...w, output, stdout, outputOpen: !text.endsWith('\n') };
}

function sortKey(m: Machine, items: readonly PyValue[], key: PyValue | undefined, reverse: boolean): PyValue[] {
  const keyed = items.map((v) => ({ v, k: key === undefined || key.type === 'None' ? v : m.call(key, [v], {}) }));
  keyed.sort((a, b) => (pyEquals(m, a.k, b.k) ? 0 : compareValues(m, '<', a.k, b.k) ? -1 : 1));
  if (reverse) keyed.reverse();
  return keyed.map((x) => x.v);
}

function extreme(m: Machine, args: readonly PyValue[], kwargs: Kwargs, name: 'min' | 'max'): PyValue {
  const items = args.length === 1 ? iterate(m, args[0] as PyValue) : args;
  if (items.length === 0) {
    if (kwargs['default'] !== undefined) return kwargs['default'];
    return m.fail('ValueError', `${name}() iterable argument is empty`);
  }
  const sorted = sortKey(m, items, kwargs['key'], false);
  return (name === 'min' ? sorted[0] : sorted[sorted.length - 1]) as PyValue;
}

function currentThreadValue(m: Machine): PyValue {
  for (let r = 0; r < m.world.heap.size; r++) {
    const o = m.heap(r);
    if (o.kind === 'thread' && o.tid === m.tid) return { type: 'thread', ref: r };
  }
  const ref = m.alloc({ kind: 'thread', name: m.threadName(), target: NONE, args: [], daemon: false, tid: m.tid, done: false });
  return { type: 'thread', ref };
}

function callFunction(m: Machine, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  switch (name) {
    case 'print': {
      const sep = kwargs['sep'] === undefined || kwargs['sep'].type === 'None' ? ' ' : textOf(m, kwargs['sep'], 'sep');
      const end = kwargs['end'] === undefined || kwargs['end'].type === 'None' ? '\n' : textOf(m, kwargs['end'], 'end');
      const text = args.map((a) => pyStr(a, m)).join(sep);
      const file = kwargs['file'];
      if (file?.type === 'opaque' && file.repr.includes('<stderr>')) {
        m.world = { ...m.world, output: [...m.world.output, ...(text + end).split('\n').filter((l, i, all) => i < all.length - 1 || l !== '')] };
        return NONE;
      }
      writeOut(m, text + end);
      m.record({ call: 'print', args: [text] });
      return NONE;
    }
    case 'input': {
      const prompt = args[0] === undefined ? '' : pyStr(args[0], m);
      const [line, ...rest] = m.world.stdin;
      if (line === undefined) throw new Blocked({ call: 'input', prompt });
      m.world = { ...m.world, stdin: rest };
      writeOut(m, `${prompt}${line}\n`);
      m.record({ call: 'input', args: [prompt], result: m.repr(str(line)) });
      return str(line);
    }
    case 'len':
      return int(lengthOf(m, arg(m, args, 0, 'len')));
    case 'range': {
      const n = args.map((a) => intOf(m, a));
      if (n.length === 0) return m.fail('TypeError', 'range expected at least 1 argument, got 0');
      const [start, stop, step] = n.length === 1 ? [0, n[0] as number, 1] : [n[0] as number, n[1] as number, n[2] ?? 1];
      if (step === 0) return m.fail('ValueError', 'range() arg 3 must not be zero');
      return { type: 'range', start, stop, step };
    }
    case 'enumerate': {
      const start = kwargs['start'] === undefined ? (args[1] === undefined ? 0 : intOf(m, args[1])) : intOf(m, kwargs['start']);
      return { type: 'iter', items: iterate(m, arg(m, args, 0, 'enumerate')).map((v, i) => tuple(int(start + i), v)) };
    }
    case 'zip': {
      const lists = args.map((a) => iterate(m, a));
      const n = Math.min(...lists.map((l) => l.length));
      const items: PyValue[] = [];
      for (let i = 0; i < n; i++) items.push(tuple(...lists.map((l) => l[i] as PyValue)));
      return { type: 'iter', items };
    }
    case 'reversed':
      return { type: 'iter', items: [...iterate(m, arg(m, args, 0, 'reversed'))].reverse() };
    case 'isinstance':
      return bool(isInstance(m, arg(m, args, 0, 'isinstance'), arg(m, args, 1, 'isinstance')));
    case 'repr':
      return str(m.repr(arg(m, args, 0, 'repr')));
    case 'sum': {
      let total: PyValue = args[1] ?? int(0);
      for (const v of iterate(m, arg(m, args, 0, 'sum'))) {
        if ((v.type !== 'int' && v.type !== 'float' && v.type !== 'bool') || (total.type !== 'int' && total.type !== 'float')) {
          return m.fail('TypeError', `unsupported operand type(s) for +: '${m.typeName(total)}' and '${m.typeName(v)}'`);
        }
        const x = v.type === 'bool' ? Number(v.value) : v.value;
        total = total.type === 'float' || v.type === 'float' ? float(total.value + x) : int(total.value + x);
      }
      return total;
    }
    case 'min':
    case 'max':
      return extreme(m, args, kwargs, name);
    case 'sorted':
      return m.newList(sortKey(m, iterate(m, arg(m, args, 0, 'sorted')), kwargs['key'], m.truthy(kwargs['reverse'] ?? bool(false))));
    case 'abs': {
      const v = arg(m, args, 0, 'abs');
      if (v.type === 'int' || v.type === 'float') return { ...v, value: Math.abs(v.value) };
      return m.fail('TypeError', `bad operand type for abs(): '${m.typeName(v)}'`);
    }
    case 'any':
      return bool(iterate(m, arg(m, args, 0, 'any')).some((v) => m.truthy(v)));
    case 'all':
      return bool(iterate(m, arg(m, args, 0, 'all')).every((v) => m.truthy(v)));
    case 'hex': {
      const n = intOf(m, arg(m, args, 0, 'hex'));
      return str(`${n < 0 ? '-' : ''}0x${Math.abs(n).toString(16)}`);
    }
    case 'ord': {
      const v = arg(m, args, 0, 'ord');
      if ((v.type === 'str' || v.type === 'bytes') && [...v.value].length === 1) return int(v.value.codePointAt(0) as number);
      return m.fail('TypeError', `ord() expected a character, but string of length ${v.type === 'str' ? v.value.length : 0} found`);
    }
    case 'chr':
      return str(String.fromCodePoint(intOf(m, arg(m, args, 0, 'chr'))));
    case 'getattr': {
      const obj = arg(m, args, 0, 'getattr');
      const attr = textOf(m, args[1], 'getattr(): attribute name');
      try {
        return m.getAttr(obj, attr);
      } catch (e) {
        if (e instanceof PyError && args[2] !== undefined && m.excName(e.exc) === 'AttributeError') return args[2];
        throw e;
      }
    }
    case 'hasattr':
      try {
        m.getAttr(arg(m, args, 0, 'hasattr'), textOf(m, args[1], 'hasattr(): attribute name'));
        return bool(true);
      } catch (e) {
        if (e instanceof PyError && m.excName(e.exc) === 'AttributeError') return bool(false);
        throw e;
      }
    case 'setattr':
      m.setAttr(arg(m, args, 0, 'setattr'), textOf(m, args[1], 'setattr(): attribute name'), arg(m, args, 2, 'setattr'));
      return NONE;
    case 'round': {
      const v = arg(m, args, 0, 'round');
      const digits = args[1] === undefined ? undefined : intOf(m, args[1]);
      const x = v.type === 'int' || v.type === 'float' ? v.value : m.fail('TypeError', `type ${m.typeName(v)} doesn't define __round__ method`);
      const f = 10 ** (digits ?? 0);
      const scaled = x * f;
      const r = Math.abs(scaled % 1) === 0.5 ? 2 * Math.round(scaled / 2) : Math.round(scaled);
      return digits === undefined ? int(r) : v.type === 'int' ? int(r / f) : float(r / f);
    }
    case 'divmod': {
      const a = intOf(m, arg(m, args, 0, 'divmod'));
      const b = intOf(m, arg(m, args, 1, 'divmod'));
      if (b === 0) return m.fail('ZeroDivisionError', 'integer division or modulo by zero');
      const q = Math.floor(a / b);
      return tuple(int(q), int(a - q * b));
    }
    case 'format':
      return str(formatValue(m, arg(m, args, 0, 'format'), args[1] === undefined ? '' : textOf(m, args[1], 'format')));
    case 'id':
    case 'hash': {
      const v = arg(m, args, 0, name);
      if (name === 'hash') m.hashable(v);
      return int('ref' in v ? 0x7f0000000000 + v.ref * 16 : v.type === 'int' ? v.value : 0);
    }
    case 'callable': {
      const v = arg(m, args, 0, 'callable');
      return bool(['function', 'method', 'builtin', 'type', 'class'].includes(v.type));
    }
    case 'iter':
      return { type: 'iter', items: iterate(m, arg(m, args, 0, 'iter')) };
    case 'next':
      return m.fail('TypeError', 'next() is not supported here: iterate with a for loop');
    default:
      return m.fail('NameError', `name '${name}' is not defined`);
  }
}

function typeOf(m: Machine, v: PyValue): PyValue {
  if (v.type === 'instance') {
    const o = m.heap(v.ref);
    if (o.kind === 'instance') return o.cls;
  }
  if (v.type === 'exception') return v.cls;
  return { type: 'type', name: m.typeName(v) };
}

function isInstance(m: Machine, v: PyValue, cls: PyValue): boolean {
  if (cls.type === 'tuple') return cls.items.some((c) => isInstance(m, v, c));
  if (cls.type === 'type') {
    if (cls.name === 'object') return true;
    if (v.type === 'exception') return m.isSubclass(v.cls, cls);
    if (cls.name === 'int') return v.type === 'int' || v.type === 'bool';
    return m.typeName(v) === cls.name;
  }
  if (cls.type === 'class') return m.isSubclass(typeOf(m, v), cls);
  return m.fail('TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
}

function construct(m: Machine, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  if (isExceptionClass(name)) {
    if (name.endsWith('Error') && args.length === 2 && args[0]?.type === 'int' && ['OSError', 'BlockingIOError', 'ConnectionResetError', 'BrokenPipeError', 'ConnectionRefusedError', 'TimeoutError', 'ConnectionError', 'ConnectionAbortedError'].includes(name)) {
      return { type: 'exception', cls: { type: 'type', name }, args, errno: args[0].value };
    }
    return { type: 'exception', cls: { type: 'type', name }, args };
  }
  const v = args[0];
  switch (name) {
    case 'int': {
      if (v === undefined) return int(0);
      if (v.type === 'int') return v;
      if (v.type === 'bool') return int(Number(v.value));
      if (v.type === 'float') return int(Math.trunc(v.value));
      if (v.type === 'str' || v.type === 'bytes') {
        const base = args[1] === undefined ? 10 : intOf(m, args[1]);
        const text = v.value.trim().replace(/_/g, '');
        const n = parseInt(text, base);
        const valid = base === 10 ? /^[+-]?\d+$/.test(text) : !Number.isNaN(n);
        if (!valid) return m.fail('ValueError', `invalid literal for int() with base ${base}: ${m.repr(v)}`);
        return int(n);
      }
      return m.fail('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${m.typeName(v)}'`);
    }
    case 'float': {
      if (v === undefined) return float(0);
      if (v.type === 'int' || v.type === 'float') return float(v.value);
      if (v.type === 'str' && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v.value)) return float(Number(v.value));
      return m.fail('ValueError', `could not convert string to float: ${v === undefined ? "''" : m.repr(v)}`);
    }
    case 'str':
      if (v === undefined) return str('');
      if (v.type === 'bytes' && args[1] !== undefined) return bytesMethod(m, v, 'decode', args.slice(1), kwargs);
      return str(pyStr(v, m));
    case 'bool':
      return bool(v === undefined ? false : m.truthy(v));
    case 'bytes':
    case 'bytearray': {
      if (v === undefined) return bytes('');
      if (v.type === 'str') {
        if (args[1] === undefined && kwargs['encoding'] === undefined) return m.fail('TypeError', 'string argument without an encoding');
        return bytes(utf8Encode(v.value));
      }
      if (v.type === 'int') return bytes('\0'.repeat(v.value));
      if (v.type === 'bytes') return v;
      return bytes(
        iterate(m, v)
          .map((x) => {
            const n = intOf(m, x);
            if (n < 0 || n > 255) m.fail('ValueError', 'bytes must be in range(0, 256)');
            return String.fromCharCode(n);
          })
          .join(''),
      );
    }
    case 'list':
      return m.newList(v === undefined ? [] : iterate(m, v));
    case 'tuple':
      return tuple(...(v === undefined ? [] : iterate(m, v)));
    case 'set': {
      const items: PyValue[] = [];
      for (const x of v === undefined ? [] : iterate(m, v)) if (!items.some((y) => pyEquals(m, x, y))) items.push(x);
      return { type: 'set', ref: m.alloc({ kind: 'set', items }) };
    }
    case 'dict': {
      const d: PyValue = { type: 'dict', ref: m.alloc({ kind: 'dict', keys: [], values: [] }) };
      if (v !== undefined) {
        if (v.type === 'dict') {
          const o = m.heap(v.ref);
          if (o.kind === 'dict') o.keys.forEach((k, i) => m.setItem(d, k, o.values[i] as PyValue));
        } else
          for (const pair of iterate(m, v)) {
            const [k, x] = iterate(m, pair);
            m.setItem(d, k as PyValue, x as PyValue);
          }
      }
      for (const [k, x] of Object.entries(kwargs)) m.setItem(d, str(k), x);
      return d;
    }
    case 'type':
      return typeOf(m, v ?? NONE);
    case 'object':
      return { type: 'opaque', repr: '<object object>' };
    default:
      return m.fail('TypeError', `cannot create '${name}' instances`);
  }
}

export function callBuiltin(m: Machine, fn: Extract<PyValue, { type: 'builtin' | 'type' }>, args: readonly PyValue[], kwargs: Kwargs, resume: number | undefined): PyValue {
  if (fn.type === 'type') return construct(m, fn.name, args, kwargs);
  const dot = fn.name.indexOf('.');
  if (dot < 0) return callFunction(m, fn.name, args, kwargs);
  const owner = fn.name.slice(0, dot);
  const method = fn.name.slice(dot + 1);
  const self = fn.self;
  switch (owner) {
    case 'socket':
      return self === undefined ? socketFunction(m, method, args, kwargs) : socketMethod(m, self, method, args, kwargs, resume);
    case 'selectors':
      return selCreate(m);
    case 'selector':
      return selectorMethod(m, method, args, kwargs);
    case 'uring':
      return ringCreate(m, args, kwargs);
    case 'ring':
      return ringMethod(m, method, args, kwargs, resume);
    case 'str':
      return strMethod(m, self as Extract<PyValue, { type: 'str' }>, method, args, kwargs);
    case 'bytes':
      return bytesMethod(m, self as Extract<PyValue, { type: 'bytes' }>, method, args, kwargs);
    case 'list':
      return listMethod(m, self as PyValue, method, args, kwargs);
    case 'dict':
      return dictMethod(m, self as PyValue, method, args);
    case 'set':
      return setMethod(m, self as PyValue, method, args);
    case 'types':
      return { type: 'namespace', ref: m.alloc({ kind: 'namespace', fields: { ...kwargs } }) };
    case 'threading':
      return threadingFunction(m, method, args, kwargs);
    case 'thread':
      return threadMethod(m, self as PyValue, method, args);
    case 'lock':
      return lockMethod(m, self as PyValue, method, args, kwargs);
    case 'time':
      return timeFunction(m, method, args, resume);
    case 'sys':
      if (method === 'exit') throw new PyError(exc('SystemExit', ...(args[0] === undefined ? [] : [args[0]])));
      return m.fail('AttributeError', `module 'sys' has no attribute '${method}'`);
    case 'struct':
      return structCall(m, method, args);
    case 'asyncio':
      return asyncioFunction(m, method, args, kwargs, resume);
    case 'reader':
    case 'writer':
    case 'server':
    case 'future':
    case 'coroutine':
      return asyncioMethod(m, self as PyValue, method, args, kwargs);
    default:
      return m.fail('AttributeError', `no attribute '${method}'`);
  }
}

function strMethod(m: Machine, s: Extract<PyValue, { type: 'str' }>, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  const t = s.value;
  const sArg = (i: number) => textOf(m, args[i], `str.${name}()`);
  switch (name) {
    case 'encode':
      return bytes(utf8Encode(t));
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return str(stripText(t, args[0]?.type === 'str' ? args[0].value : undefined, name));
    case 'split':
      return m.newList(splitText(t, args[0]?.type === 'str' ? args[0].value : undefined, args[1] === undefined ? -1 : intOf(m, args[1])).map((x) => str(x)));
    case 'splitlines':
      return m.newList(t.split(/\r\n|\n|\r/).filter((x, i, all) => i < all.length - 1 || x !== '').map((x) => str(x)));
    case 'join':
      return str(
        iterate(m, args[0] ?? NONE)
          .map((x) => (x.type === 'str' ? x.value : m.fail('TypeError', `sequence item 0: expected str instance, ${m.typeName(x)} found`)))
          .join(t),
      );
    case 'upper':
      return str(t.toUpperCase());
    case 'lower':
      return str(t.toLowerCase());
    case 'startswith':
      return bool(t.startsWith(sArg(0)));
    case 'endswith':
      return bool(t.endsWith(sArg(0)));
    case 'replace':
      return str(t.split(sArg(0)).join(sArg(1)));
    case 'find':
      return int(t.indexOf(sArg(0)));
    case 'count':
      return int(t.split(sArg(0)).length - 1);
    case 'isdigit':
      return bool(/^\d+$/.test(t));
    case 'isalpha':
      return bool(/^[a-zA-Z]+$/.test(t));
    case 'format': {
      let auto = 0;
      return str(
        t.replace(/\{\{|\}\}|\{([^{}:!]*)(?:!([rs]))?(?::([^{}]*))?\}/g, (all, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
          if (all === '{{') return '{';
          if (all === '}}') return '}';
          const v = field === '' || field === undefined ? args[auto++] : /^\d+$/.test(field) ? args[Number(field)] : kwargs[field];
          if (v === undefined) return m.fail('IndexError', 'Replacement index out of range for positional args tuple');
          const shown = conv === 'r' ? str(m.repr(v)) : v;
          return formatValue(m, shown, spec ?? '');
        }),
      );
    }
    default:
      return m.fail('AttributeError', `'str' object has no attribute '${name}'`);
  }
}

function stripText(t: string, chars: string | undefined, how: string): string {
  const set = chars ?? ' \t\n\r\x0b\x0c';
  let a = 0;
  let b = t.length;
  if (how !== 'rstrip') while (a < b && set.includes(t[a] as string)) a++;
  if (how !== 'lstrip') while (b > a && set.includes(t[b - 1] as string)) b--;
  return t.slice(a, b);
}

function splitText(t: string, sep: string | undefined, max: number): string[] {
  if (sep === undefined) {
    const parts = t.trim().split(/\s+/).filter((x) => x !== '');
    return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(' ')];
  }
  const parts = t.split(sep);
  return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sep)];
}

function bytesMethod(m: Machine, b: Extract<PyValue, { type: 'bytes' }>, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  const t = b.value;
  const bArg = (i: number) => {
    const v = args[i];
    if (v?.type !== 'bytes') return m.fail('TypeError', `a bytes-like object is required, not '${v === undefined ? 'NoneType' : m.typeName(v)}'`);
    return v.value;
  };
  switch (name) {
    case 'decode': {
      const errors = kwargs['errors'] ?? args[1];
      const d = utf8Decode(t);
      if (d.ok) return str(d.text);
      if (errors?.type === 'str' && errors.value === 'replace') return str(new TextDecoder('utf-8').decode(Uint8Array.from([...t].map((c) => c.charCodeAt(0)))));
      const [type, ...rest] = d.error.split(': ');
      throw new PyError(exc(type as string, str(rest.join(': '))));
    }
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return bytes(stripText(t, args[0]?.type === 'bytes' ? args[0].value : undefined, name));
    case 'split':
      return m.newList(splitText(t, args[0]?.type === 'bytes' ? args[0].value : undefined, args[1] === undefined ? -1 : intOf(m, args[1])).map((x) => bytes(x)));
    case 'splitlines':
      return m.newList(t.split(/\r\n|\n|\r/).filter((x, i, all) => i < all.length - 1 || x !== '').map((x) => bytes(x)));
    case 'startswith':
      return bool(t.startsWith(bArg(0)));
    case 'endswith':
      return bool(t.endsWith(bArg(0)));
    case 'upper':
      return bytes(t.toUpperCase());
    case 'lower':
      return bytes(t.toLowerCase());
    case 'replace':
      return bytes(t.split(bArg(0)).join(bArg(1)));
    case 'find':
      return int(t.indexOf(bArg(0)));
    case 'count':
      return int(t.split(bArg(0)).length - 1);
    case 'hex':
      return str([...t].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    case 'join':
      return bytes(
        iterate(m, args[0] ?? NONE)
          .map((x) => (x.type === 'bytes' ? x.value : m.fail('TypeError', `sequence item 0: expected a bytes-like object, ${m.typeName(x)} found`)))
          .join(t),
      );
    default:
      return m.fail('AttributeError', `'bytes' object has no attribute '${name}'`);
  }
}

function listMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  const o = heapList(m, self);
  const ref = (self as { ref: number }).ref;
  const set = (items: readonly PyValue[]) => m.setHeap(ref, { kind: 'list', items });
  switch (name) {
    case 'append':
      set([...o.items, arg(m, args, 0, 'append')]);
      return NONE;
    case 'extend':
      set([...o.items, ...iterate(m, arg(m, args, 0, 'extend'))]);
      return NONE;
    case 'insert': {
      const items = [...o.items];
      let i = intOf(m, arg(m, args, 0, 'insert'));
      if (i < 0) i = Math.max(0, i + items.length);
      items.splice(Math.min(i, items.length), 0, arg(m, args, 1, 'insert'));
      set(items);
      return NONE;
    }
    case 'pop': {
      if (o.items.length === 0) return m.fail('IndexError', 'pop from empty list');
      const i = args[0] === undefined ? o.items.length - 1 : m.index(args[0], o.items.length, 'pop');
      set(o.items.filter((_, j) => j !== i));
      return o.items[i] as PyValue;
    }
    case 'remove': {
      const v = arg(m, args, 0, 'remove');
      const i = o.items.findIndex((x) => pyEquals(m, x, v));
      if (i < 0) return m.fail('ValueError', 'list.remove(x): x not in list');
      set(o.items.filter((_, j) => j !== i));
      return NONE;
    }
    case 'index': {
      const v = arg(m, args, 0, 'index');
      const i = o.items.findIndex((x) => pyEquals(m, x, v));
      if (i < 0) return m.fail('ValueError', `${m.repr(v)} is not in list`);
      return int(i);
    }
    case 'count': {
      const v = arg(m, args, 0, 'count');
      return int(o.items.filter((x) => pyEquals(m, x, v)).length);
    }
    case 'copy':
      return m.newList(o.items);
    case 'clear':
      set([]);
      return NONE;
    case 'reverse':
      set([...o.items].reverse());
      return NONE;
    case 'sort':
      set(sortKey(m, o.items, kwargs['key'], m.truthy(kwargs['reverse'] ?? bool(false))));
      return NONE;
    default:
      return m.fail('AttributeError', `'list' object has no attribute '${name}'`);
  }
}

function dictMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[]): PyValue {
  const ref = (self as { ref: number }).ref;
  const o = m.heap(ref);
  if (o.kind !== 'dict') return m.fail('TypeError', 'expected a dict');
  const find = (k: PyValue) => o.keys.findIndex((x) => pyEquals(m, x, k));
  switch (name) {
    case 'get': {
      const i = find(arg(m, args, 0, 'get'));
      return i < 0 ? (args[1] ?? NONE) : (o.values[i] as PyValue);
    }
    case 'keys':
      return { type: 'iter', items: o.keys };
    case 'values':
      return { type: 'iter', items: o.values };
    case 'items':
      return { type: 'iter', items: o.keys.map((k, i) => tuple(k, o.values[i] as PyValue)) };
    case 'pop': {
      const k = arg(m, args, 0, 'pop');
      const i = find(k);
      if (i < 0) {
        if (args[1] !== undefined) return args[1];
        throw new PyError(exc('KeyError', k));
      }
      m.setHeap(ref, { kind: 'dict', keys: o.keys.filter((_, j) => j !== i), values: o.values.filter((_, j) => j !== i) });
      return o.values[i] as PyValue;
    }
    case 'setdefault': {
      const k = arg(m, args, 0, 'setdefault');
      const i = find(k);
      if (i >= 0) return o.values[i] as PyValue;
      m.setItem(self, k, args[1] ?? NONE);
      return args[1] ?? NONE;
    }
    case 'update': {
      const other = arg(m, args, 0, 'update');
      const p = other.type === 'dict' ? m.heap(other.ref) : undefined;
      if (p?.kind === 'dict') p.keys.forEach((k, i) => m.setItem(self, k, p.values[i] as PyValue));
      return NONE;
    }
    case 'copy':
      return { type: 'dict', ref: m.alloc({ kind: 'dict', keys: o.keys, values: o.values }) };
    case 'clear':
      m.setHeap(ref, { kind: 'dict', keys: [], values: [] });
      return NONE;
    default:
      return m.fail('AttributeError', `'dict' object has no attribute '${name}'`);
  }
}

function setMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[]): PyValue {
  const ref = (self as { ref: number }).ref;
  const o = m.heap(ref);
  if (o.kind !== 'set') return m.fail('TypeError', 'expected a set');
  const v = args[0];
  const has = v !== undefined && o.items.some((x) => pyEquals(m, x, v));
  switch (name) {
    case 'add':
      m.hashable(arg(m, args, 0, 'add'));
      if (!has) m.setHeap(ref, { kind: 'set', items: [...o.items, v as PyValue] });
      return NONE;
    case 'remove':
      if (!has) throw new PyError(exc('KeyError', arg(m, args, 0, 'remove')));
      m.setHeap(ref, { kind: 'set', items: o.items.filter((x) => !pyEquals(m, x, v as PyValue)) });
      return NONE;
    case 'discard':
      if (has) m.setHeap(ref, { kind: 'set', items: o.items.filter((x) => !pyEquals(m, x, v as PyValue)) });
      return NONE;
    case 'copy':
      return { type: 'set', ref: m.alloc({ kind: 'set', items: o.items }) };
    default:
      return m.fail('AttributeError', `'set' object has no attribute '${name}'`);
  }
}

function threadingFunction(m: Machine, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  switch (name) {
    case 'Thread': {
      const target = kwargs['target'] ?? args[1] ?? NONE;
      const targs = kwargs['args'] ?? args[3];
      const n = m.world.threadsCreated + 1;
      m.world = { ...m.world, threadsCreated: n };
      const fnName = target.type === 'function' ? target.fn.name : '';
      const given = kwargs['name'];
      const threadName = given?.type === 'str' ? given.value : `Thread-${n}${fnName === '' ? '' : ` (${fnName})`}`;
      const ref = m.alloc({
        kind: 'thread',
        name: threadName,
        target,
        args: targs === undefined ? [] : iterate(m, targs),
        daemon: kwargs['daemon'] !== undefined && m.truthy(kwargs['daemon']),
        tid: undefined,
        done: false,
      });
      return { type: 'thread', ref };
    }
    case 'Lock':
    case 'RLock':
      return { type: 'lock', ref: m.alloc({ kind: 'lock', holder: undefined }) };
    case 'current_thread':
      return currentThreadValue(m);
    case 'active_count':
      return int(m.world.threads.length);
    default:
      return m.fail('AttributeError', `module 'threading' has no attribute '${name}'`);
  }
}

function threadObj(m: Machine, self: PyValue): Extract<HeapObj, { kind: 'thread' }> {
  const o = self.type === 'thread' ? m.heap(self.ref) : undefined;
  if (o?.kind !== 'thread') return m.fail('TypeError', 'expected a Thread');
  return o;
}

function threadMethod(m: Machine, self: PyValue, name: string, _args: readonly PyValue[]): PyValue {
  const o = threadObj(m, self);
  const ref = (self as { ref: number }).ref;
  switch (name) {
    case 'start': {
      if (o.tid !== undefined) return m.fail('RuntimeError', 'threads can only be started once');
      const tid = m.startThread(o.target, o.args, o.name);
      m.setHeap(ref, { ...o, tid });
      m.record({ call: 'thread.start', result: o.name });
      return NONE;
    }
    case 'join':
      if (o.tid === undefined) return m.fail('RuntimeError', 'cannot join thread before it is started');
      if (o.tid === m.tid) return m.fail('RuntimeError', 'cannot join current thread');
      if (!o.done && m.world.threads.some((t) => t.id === o.tid)) throw new Blocked({ call: 'join', thread: o.name });
      return NONE;
    case 'is_alive':
      return bool(o.tid !== undefined && m.world.threads.some((t) => t.id === o.tid));
    default:
      return m.fail('AttributeError', `'Thread' object has no attribute '${name}'`);
  }
}

function acquire(m: Machine, self: PyValue, blocking: boolean): boolean {
  const ref = (self as { ref: number }).ref;
  const o = m.heap(ref);
  if (o.kind !== 'lock') return m.fail('TypeError', 'expected a lock');
  if (o.holder === undefined) {
    m.setHeap(ref, { kind: 'lock', holder: m.tid });
    m.record({ call: 'lock.acquire', result: 'True' });
    return true;
  }
  if (!blocking) return false;
  const holder = m.world.threads.find((t) => t.id === o.holder)?.name ?? 'a thread that has ended';
  throw new Blocked({ call: 'lock', holder });
}

function release(m: Machine, self: PyValue): void {
  const ref = (self as { ref: number }).ref;
  const o = m.heap(ref);
  if (o.kind !== 'lock' || o.holder === undefined) m.fail('RuntimeError', 'release unlocked lock');
  m.setHeap(ref, { kind: 'lock', holder: undefined });
  m.record({ call: 'lock.release' });
}

function lockMethod(m: Machine, self: PyValue, name: string, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  switch (name) {
    case 'acquire':
      return bool(acquire(m, self, m.truthy(kwargs['blocking'] ?? args[0] ?? bool(true))));
    case 'release':
      release(m, self);
      return NONE;
    case 'locked': {
      const o = m.heap((self as { ref: number }).ref);
      return bool(o.kind === 'lock' && o.holder !== undefined);
    }
    default:
      return m.fail('AttributeError', `'_thread.lock' object has no attribute '${name}'`);
  }
}

const MICROS = 1_000_000;

function timeFunction(m: Machine, name: string, args: readonly PyValue[], resume: number | undefined): PyValue {
  switch (name) {
    case 'sleep': {
      const v = arg(m, args, 0, 'sleep');
      if (v.type !== 'int' && v.type !== 'float') return m.fail('TypeError', `'${m.typeName(v)}' object cannot be interpreted as an integer`);
      if (v.value < 0) return m.fail('ValueError', 'sleep length must be non-negative');
      if (resume === undefined) {
        m.record({ call: 'sleep', args: [m.repr(v)] });
        throw new PartialCall(m.world.clock + Math.round(v.value * MICROS));
      }
      if (m.world.clock < resume) throw new Blocked({ call: 'sleep', until: resume });
      return NONE;
    }
    case 'time':
    case 'monotonic':
    case 'perf_counter':
      return float(m.world.clock / MICROS);
    default:
      return m.fail('AttributeError', `module 'time' has no attribute '${name}'`);
  }
}

const MODULE_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  socket: ['socket', 'socketpair', 'create_connection', 'create_server', 'has_dualstack_ipv6', 'getdefaulttimeout', 'setdefaulttimeout'],
  selectors: ['DefaultSelector', 'EpollSelector', 'SelectSelector', 'PollSelector'],
  types: ['SimpleNamespace'],
  threading: ['Thread', 'Lock', 'RLock', 'current_thread', 'active_count'],
  time: ['sleep', 'time', 'monotonic', 'perf_counter'],
  sys: ['exit'],
  struct: ['pack', 'unpack', 'calcsize', 'unpack_from', 'pack_into'],
  asyncio: ASYNCIO_FUNCTIONS,
  uring: URING_FUNCTIONS,
};

function moduleAttr(m: Machine, mod: string, name: string): PyValue {
  if (MODULE_FUNCTIONS[mod]?.includes(name) === true) return { type: 'builtin', name: `${mod}.${name}` };
  if (mod === 'socket') {
    const c = SOCKET_CONSTANTS[name];
    if (c !== undefined) return int(c);
    if (name === 'timeout') return { type: 'type', name: 'TimeoutError' };
    if (name === 'error') return { type: 'type', name: 'OSError' };
  }
  if (mod === 'selectors') {
    if (name === 'EVENT_READ') return int(EVENT_READ);
    if (name === 'EVENT_WRITE') return int(EVENT_WRITE);
  }
  if (mod === 'errno') {
    const e = (ERRNO as Readonly<Record<string, readonly [number, string]>>)[name];
    if (e !== undefined) return int(e[0]);
  }
  if (mod === 'struct' && name === 'error') return { type: 'type', name: 'struct.error' };
  if (mod === 'asyncio' && ASYNCIO_TYPES[name] !== undefined) return { type: 'type', name: ASYNCIO_TYPES[name] };
  if (mod === 'sys') {
    if (name === 'argv') return m.newList([str(m.module.file)]);
    if (name === 'platform') return str('linux');
    if (name === 'maxsize') return int(Number.MAX_SAFE_INTEGER);
    if (name === 'stdout' || name === 'stderr' || name === 'stdin') return { type: 'opaque', repr: `<_io.TextIOWrapper name='<${name}>'>` };
  }
  return m.fail('AttributeError', `module '${mod}' has no attribute '${name}'`);
}

const METHODS: Readonly<Record<string, string>> = {
  str: 'str',
  bytes: 'bytes',
  list: 'list',
  dict: 'dict',
  set: 'set',
  socket: 'socket',
  selector: 'selector',
  ring: 'ring',
  lock: 'lock',
  reader: 'reader',
  writer: 'writer',
  server: 'server',
  future: 'future',
  coroutine: 'coroutine',
};

/** obj.name for modules and built-in values. */
export function getBuiltinAttr(m: Machine, obj: PyValue, name: string): PyValue {
  if (obj.type === 'module') return moduleAttr(m, obj.name, name);
  if (obj.type === 'key') return keyAttr(m, obj, name);
  if (obj.type === 'cqe') return cqeAttr(m, obj, name);
  const own = asyncioAttr(m, obj, name);
  if (own !== undefined) return own;
  if (obj.type === 'thread') {
    const o = threadObj(m, obj);
    if (name === 'name') return str(o.name);
    if (name === 'daemon') return bool(o.daemon);
    if (['start', 'join', 'is_alive'].includes(name)) return { type: 'builtin', name: `thread.${name}`, self: obj };
  }
  if (obj.type === 'type' && obj.name === 'int' && name === 'from_bytes') return m.fail('AttributeError', "type object 'int' has no attribute 'from_bytes' here; use struct.unpack");
  const owner = METHODS[obj.type];
  if (owner !== undefined && !name.startsWith('__')) return { type: 'builtin', name: `${owner}.${name}`, self: obj };
  return m.fail('AttributeError', `'${m.typeName(obj)}' object has no attribute '${name}'`);
}

/** `with x:` calls x.__enter__(): a socket or selector gives itself, a lock is acquired (and may block). */
export function enterContext(m: Machine, v: PyValue): PyValue {
  if (v.type === 'socket' || v.type === 'selector') return v;
  if (v.type === 'lock') {
    acquire(m, v, true);
    return bool(true);
  }
  return m.fail('TypeError', `'${m.typeName(v)}' object does not support the context manager protocol`);
}

export function exitContext(m: Machine, v: PyValue): void {
  if (v.type === 'socket') closeValue(m, v);
  else if (v.type === 'selector') selectorMethod(m, 'close', [], {});
  else if (v.type === 'lock') release(m, v);
  else if (v.type === 'server') serverClose(m, v.ref);
}
