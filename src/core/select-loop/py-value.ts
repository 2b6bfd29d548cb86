import type { FunctionCode } from '../python/ast.ts';
import type { TracebackEntry } from '../python/frame.ts';
import type { AwaitOp, FutureCallback } from './event-loop.ts';

/**
 * Python values. Immutable ones (numbers, str, bytes, tuples, keys) are held inline; mutable
 * ones (list, dict, set, namespaces, instances, locks, threads) live on the heap, by reference,
 * because a frame, a selector's data and another thread can share them. Bytes are JS strings
 * whose characters are all in 0–255, one character per byte, so slicing and length match Python's.
 */
export type PyValue =
  | { readonly type: 'None' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: string }
  | { readonly type: 'tuple'; readonly items: readonly PyValue[] }
  | { readonly type: 'list' | 'dict' | 'set' | 'namespace' | 'instance' | 'class' | 'lock' | 'thread'; readonly ref: number }
  /** asyncio's objects: coroutines, futures and tasks, stream readers and writers, servers. */
  | { readonly type: 'coroutine' | 'future' | 'reader' | 'writer' | 'server'; readonly ref: number }
  /** A socket object; `id` names the kernel socket, which outlives the fd number. */
  | { readonly type: 'socket'; readonly id: number }
  /** A selectors.SelectorKey: a named tuple, so a snapshot, whose data is shared by reference. */
  | { readonly type: 'key'; readonly sock: number; readonly fd: number; readonly events: number; readonly data: PyValue }
  | { readonly type: 'selector' }
  /** The uring teaching module's Ring (one per program), and a CQE read from its CQ: a snapshot. */
  | { readonly type: 'ring' }
  | { readonly type: 'cqe'; readonly seq: number; readonly res: number; readonly userData: PyValue; readonly buf: string }
  | { readonly type: 'range'; readonly start: number; readonly stop: number; readonly step: number }
  /** A generator expression or other one-shot iterator, already evaluated. */
  | { readonly type: 'iter'; readonly items: readonly PyValue[] }
  | { readonly type: 'function'; readonly fn: FunctionCode; readonly defaults: Readonly<Record<string, PyValue>> }
  | { readonly type: 'method'; readonly fn: PyValue; readonly self: PyValue }
  /** A function or method the interpreter provides, e.g. 'len' or 'socket.recv' bound to `self`. */
  | { readonly type: 'builtin'; readonly name: string; readonly self?: PyValue }
  | { readonly type: 'module'; readonly name: string }
  /** A built-in class: int, str, BlockingIOError, … */
  | { readonly type: 'type'; readonly name: string }
  | {
      readonly type: 'exception';
      readonly cls: PyValue;
      readonly args: readonly PyValue[];
      readonly errno?: number;
      /** The exception being handled when this one was raised, with where it had been raised (__context__). */
      readonly context?: { readonly exc: PyValue; readonly tb: readonly TracebackEntry[] };
      /** `raise … from …`: the cause (__cause__), or null for `from None`, which hides the context. */
      readonly cause?: PyValue | null;
      /** Attributes beyond args, e.g. IncompleteReadError's partial and expected. */
      readonly attrs?: Readonly<Record<string, PyValue>>;
    }
  /** Shown, never looked inside. */
  | { readonly type: 'opaque'; readonly repr: string };

export type Vars = Readonly<Record<string, PyValue>>;

/** What heap references point at. */
export type HeapObj =
  | { readonly kind: 'list'; readonly items: readonly PyValue[] }
  | { readonly kind: 'set'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly keys: readonly PyValue[]; readonly values: readonly PyValue[] }
  | { readonly kind: 'namespace'; readonly fields: Vars }
  | { readonly kind: 'instance'; readonly cls: PyValue; readonly fields: Vars }
  | { readonly kind: 'class'; readonly name: string; readonly bases: readonly PyValue[]; readonly attrs: Vars }
  /** holder: the thread id that acquired it. */
  | { readonly kind: 'lock'; readonly holder: number | undefined }
  | {
      readonly kind: 'thread';
      readonly name: string;
      readonly target: PyValue;
      readonly args: readonly PyValue[];
      readonly daemon: boolean;
      /** The interpreter thread once started. */
      readonly tid: number | undefined;
      readonly done: boolean;
    }
  /**
   * A coroutine object: an async def's (fn and its bound arguments), or one of asyncio's own (op).
   * created: not awaited yet, so nothing of it has run; running: awaited or a task's; done: finished.
   */
  | {
      readonly kind: 'coroutine';
      /** CPython's qualified name: handle, StreamReader.readline, sleep … */
      readonly name: string;
      readonly fn: PyValue | undefined;
      readonly vars: Vars;
      readonly op: AwaitOp | undefined;
      readonly state: 'created' | 'running' | 'done';
      /** The future an asyncio coroutine waits on now. */
      readonly future: number | undefined;
      /** How far an asyncio coroutine with several awaits inside has got. */
      readonly phase: number;
      /** What it has made so far (start_server's Server). */
      readonly value: PyValue | undefined;
    }
  /** An asyncio Future, Task (task: its id) or gather()'s _GatheringFuture (children: its tasks). */
  | {
      readonly kind: 'future';
      readonly role: 'future' | 'task' | 'gather';
      readonly state: 'pending' | 'done' | 'cancelled';
      readonly result: PyValue;
      readonly exc: PyValue | undefined;
      readonly tb: readonly TracebackEntry[];
      readonly callbacks: readonly FutureCallback[];
      readonly task: number | undefined;
      /** For a task: its name and its coroutine's. */
      readonly name: string;
      readonly coro: string;
      readonly children: readonly number[];
      /** Someone has seen its exception (awaited it, or asked for it). */
      readonly retrieved: boolean;
      /** gather(…, return_exceptions=True). */
      readonly returnExceptions?: boolean;
    }
  /** asyncio.StreamReader: bytes the transport fed it, EOF, an error, and the future a read waits on. */
  | { readonly kind: 'reader'; readonly sock: number; readonly buffer: string; readonly eof: boolean; readonly exc: PyValue | undefined; readonly waiter: number | undefined }
  | { readonly kind: 'writer'; readonly sock: number; readonly reader: number }
  /** asyncio.Server: its listening sockets; forever: serve_forever()'s future. */
  | { readonly kind: 'server'; readonly socks: readonly number[]; readonly closed: boolean; readonly forever: number | undefined; readonly callback: PyValue };

export const NONE: PyValue = { type: 'None' };

export const int = (value: number): PyValue => ({ type: 'int', value });
export const bool = (value: boolean): PyValue => ({ type: 'bool', value });
export const float = (value: number): PyValue => ({ type: 'float', value });
export const str = (value: string): PyValue => ({ type: 'str', value });
export const bytes = (value: string): PyValue => ({ type: 'bytes', value });
export const tuple = (...items: PyValue[]): PyValue => ({ type: 'tuple', items });
export const socketValue = (id: number): PyValue => ({ type: 'socket', id });
export const opaque = (repr: string): PyValue => ({ type: 'opaque', repr });

/** What a repr needs from outside the value: the kernel's view of a socket, and the heap. */
export type ReprContext = {
  readonly socket: (id: number) => string;
  readonly heap: (ref: number) => HeapObj;
  readonly threadName?: (tid: number) => string;
};

function escapeChar(code: number, quote: string): string {
  const c = String.fromCharCode(code);
  if (c === quote || c === '\\') return `\\${c}`;
  if (code === 0x09) return '\\t';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}

function quoteFor(s: string): string {
  return s.includes("'") && !s.includes('"') ? '"' : "'";
}

/** CPython's bytes repr: b'hi\n', b"it's", b'\xff'. */
export function bytesLiteral(b: string): string {
  const q = quoteFor(b);
  let out = `b${q}`;
  for (let i = 0; i < b.length; i++) {
    const code = b.charCodeAt(i);
    out += code >= 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : escapeChar(code, q);
  }
  return out + q;
}

/** CPython's str repr for the text our programs hold. */
export function strLiteral(s: string): string {
  const q = quoteFor(s);
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0x80 && code < 0xa0 ? `\\x${code.toString(16)}` : escapeChar(code, q);
  }
  return out + q;
}

/** Python's float repr: the shortest text that reads back the same, with '.0' on whole numbers. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0.0';
  const a = Math.abs(n);
  if (a >= 1e16 || (a !== 0 && a < 1e-4)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  if (Number.isInteger(n)) return `${n}.0`;
  return String(n);
}

/** CPython lists a set of small non-negative ints in ascending order (their hashes are their values); other sets keep insertion order here. */
export function setOrder(items: readonly PyValue[]): readonly PyValue[] {
  const small = items.every((v) => v.type === 'int' && v.value >= 0 && v.value < 8 * Math.max(8, items.length));
  return small ? [...items].sort((a, b) => (a as { value: number }).value - (b as { value: number }).value) : items;
}

/** Python's repr of a tuple: a one-item tuple keeps its trailing comma. */
function tupleRepr(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

const FUTURE_TYPES = { future: 'Future', task: 'Task', gather: '_GatheringFuture' } as const;

/** The name Python gives a value's class, as in error messages. */
export function typeName(v: PyValue, ctx?: Pick<ReprContext, 'heap'>): string {
  switch (v.type) {
    case 'None':
      return 'NoneType';
    case 'namespace':
      return 'types.SimpleNamespace';
    case 'instance': {
      const c = ctx?.heap(v.ref);
      const cls = c?.kind === 'instance' && c.cls.type === 'class' ? ctx?.heap(c.cls.ref) : undefined;
      return cls?.kind === 'class' ? cls.name : 'object';
    }
    case 'class':
    case 'type':
      return 'type';
    case 'key':
      return 'SelectorKey';
    case 'selector':
      return 'EpollSelector';
    case 'ring':
      return 'Ring';
    case 'cqe':
      return 'Cqe';
    case 'iter':
      return 'generator';
    case 'builtin':
      return v.self === undefined ? 'builtin_function_or_method' : 'builtin_function_or_method';
    case 'exception':
      return v.cls.type === 'type' ? v.cls.name : 'Exception';
    case 'thread':
      return 'Thread';
    case 'opaque':
      return 'object';
    case 'future': {
      const o = ctx?.heap(v.ref);
      return o?.kind === 'future' ? FUTURE_TYPES[o.role] : 'Future';
    }
    case 'reader':
      return 'StreamReader';
    case 'writer':
      return 'StreamWriter';
    case 'server':
      return 'Server';
    default:
      return v.type;
  }
}

function className(v: PyValue, ctx: ReprContext): string {
  if (v.type === 'type') return v.name;
  if (v.type === 'class') {
    const c = ctx.heap(v.ref);
    return c.kind === 'class' ? c.name : '?';
  }
  return '?';
}

function futureRepr(o: Extract<HeapObj, { kind: 'future' }>, r: (x: PyValue) => string): string {
  const state = o.state === 'pending' ? 'pending' : o.state === 'cancelled' ? 'cancelled' : 'finished';
  const outcome = o.state !== 'done' ? '' : o.exc !== undefined ? ` exception=${r(o.exc)}` : ` result=${r(o.result)}`;
  if (o.role === 'task') return `<Task ${state} name='${o.name}' coro=<${o.coro}()>${outcome}>`;
  return `<${FUTURE_TYPES[o.role]} ${state}${outcome}>`;
}

export function repr(v: PyValue, ctx: ReprContext): string {
  const r = (x: PyValue) => repr(x, ctx);
  switch (v.type) {
    case 'None':
      return 'None';
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'int':
      return String(v.value);
    case 'float':
      return floatRepr(v.value);
    case 'str':
      return strLiteral(v.value);
    case 'bytes':
      return bytesLiteral(v.value);
    case 'tuple':
      return tupleRepr(v.items.map(r));
    case 'list':
    case 'set':
    case 'dict':
    case 'namespace':
    case 'instance':
    case 'class':
    case 'lock':
    case 'thread':
    case 'coroutine':
    case 'future':
    case 'reader':
    case 'writer':
    case 'server': {
      const o = ctx.heap(v.ref);
      switch (o.kind) {
        case 'list':
          return `[${o.items.map(r).join(', ')}]`;
        case 'set':
          return o.items.length === 0 ? 'set()' : `{${setOrder(o.items).map(r).join(', ')}}`;
        case 'dict':
          return `{${o.keys.map((k, i) => `${r(k)}: ${r(o.values[i] as PyValue)}`).join(', ')}}`;
        case 'namespace':
          return `namespace(${Object.entries(o.fields)
            .map(([k, f]) => `${k}=${r(f)}`)
            .join(', ')})`;
        case 'instance':
          return `<__main__.${className(o.cls, ctx)} object>`;
        case 'class':
          return `<class '__main__.${o.name}'>`;
        case 'lock':
          return `<${o.holder === undefined ? 'unlocked' : 'locked'} _thread.lock object>`;
        case 'thread':
          return `<Thread(${o.name}, ${o.done ? 'stopped' : o.tid === undefined ? 'initial' : 'started'}${o.daemon ? ' daemon' : ''})>`;
        case 'coroutine':
          return `<coroutine object ${o.name}>`;
        case 'future':
          return futureRepr(o, r);
        case 'reader':
          return '<StreamReader>';
        case 'writer':
          return '<StreamWriter>';
        case 'server':
          return `<Server sockets=(${o.closed ? '' : o.socks.map((id) => `${ctx.socket(id)},`).join(' ')})>`;
      }
    }
    case 'socket':
      return ctx.socket(v.id);
    case 'key':
      return `SelectorKey(fileobj=${ctx.socket(v.sock)}, fd=${v.fd}, events=${v.events}, data=${r(v.data)})`;
    case 'selector':
      return '<selectors.EpollSelector object>';
    case 'ring':
      return '<uring.Ring object>';
    case 'cqe':
      return `Cqe(res=${v.res}, user_data=${r(v.userData)})`;
    case 'range':
      return v.step === 1 ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
    case 'iter':
      return '<generator object <genexpr>>';
    case 'function':
      return `<function ${v.fn.name}>`;
    case 'method':
      return `<bound method ${v.fn.type === 'function' ? v.fn.fn.name : '?'} of ${r(v.self)}>`;
    case 'builtin':
      return v.self === undefined ? `<built-in function ${v.name}>` : `<built-in method ${v.name.split('.').pop() ?? v.name} of ${typeName(v.self, ctx)} object>`;
    case 'module':
      return `<module '${v.name}'>`;
    case 'type':
      return `<class '${v.name}'>`;
    case 'exception': {
      // A class from a module reprs by its own name: struct.error('…'), IncompleteReadError(…).
      const name = className(v.cls, ctx).split('.').pop() ?? '';
      return `${name}(${v.args.map(r).join(', ')})`;
    }
    case 'opaque':
      return v.repr;
  }
}

/** Python truthiness; containers on the heap are empty or not. */
export function truthy(v: PyValue, heap?: (ref: number) => HeapObj): boolean {
  switch (v.type) {
    case 'None':
      return false;
    case 'bool':
      return v.value;
    case 'int':
    case 'float':
      return v.value !== 0;
    case 'str':
    case 'bytes':
      return v.value.length > 0;
    case 'tuple':
      return v.items.length > 0;
    case 'range':
      return v.step > 0 ? v.start < v.stop : v.start > v.stop;
    case 'list':
    case 'set':
    case 'dict': {
      const o = heap?.(v.ref);
      if (o?.kind === 'dict') return o.keys.length > 0;
      return o !== undefined && (o.kind === 'list' || o.kind === 'set') ? o.items.length > 0 : true;
    }
    default:
      return true;
  }
}

/** str.encode() and bytes.decode() use UTF-8 by default. */
export function utf8Encode(text: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}

function decodeFailure(b: string, start: number, end: number, reason: string): string {
  const where =
    start === end
      ? `byte 0x${b.charCodeAt(start).toString(16).padStart(2, '0')} in position ${start}`
      : `bytes in position ${start}-${end}`;
  return `UnicodeDecodeError: 'utf-8' codec can't decode ${where}: ${reason}`;
}

/** The UnicodeDecodeError CPython's strict UTF-8 decoder raises for these bytes, if any. */
function utf8Error(b: string): string | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return decodeFailure(b, i, i, 'invalid start byte');
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length) return decodeFailure(b, i, b.length - 1, 'unexpected end of data');
      const d = b.charCodeAt(i + k);
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return decodeFailure(b, i, i + k - 1, 'invalid continuation byte');
    }
    i += need + 1;
  }
  return undefined;
}

export type Decoded = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/** bytes.decode(): strict UTF-8, so bytes cut in the middle of a character raise. */
export function utf8Decode(b: string): Decoded {
  const error = utf8Error(b);
  if (error !== undefined) return { ok: false, error };
  const raw = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) raw[i] = b.charCodeAt(i);
  return { ok: true, text: new TextDecoder('utf-8').decode(raw) };
}

export function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}
