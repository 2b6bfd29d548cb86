import type { PyValue } from '../select-loop/py-value.ts';
import { bool, bytes, int, str, tuple } from '../select-loop/py-value.ts';
import { exc } from './exceptions.ts';
import type { Machine } from './machine.ts';
import { PyError } from './machine.ts';

/** struct.pack/unpack/calcsize for the standard-size formats ('!', '>', '<', '='): no native alignment. */

type Code = { readonly c: string; readonly size: number; readonly signed: boolean };

const CODES: Readonly<Record<string, Code>> = {
  b: { c: 'b', size: 1, signed: true },
  B: { c: 'B', size: 1, signed: false },
  '?': { c: '?', size: 1, signed: false },
  h: { c: 'h', size: 2, signed: true },
  H: { c: 'H', size: 2, signed: false },
  i: { c: 'i', size: 4, signed: true },
  I: { c: 'I', size: 4, signed: false },
  l: { c: 'l', size: 4, signed: true },
  L: { c: 'L', size: 4, signed: false },
  q: { c: 'q', size: 8, signed: true },
  Q: { c: 'Q', size: 8, signed: false },
};

type Item = { readonly code: string; readonly count: number; readonly size: number };

function structError(message: string): never {
  throw new PyError(exc('struct.error', str(message)));
}

function parseFormat(m: Machine, fmt: PyValue | undefined): { readonly big: boolean; readonly items: readonly Item[] } {
  const text = fmt?.type === 'str' ? fmt.value : fmt?.type === 'bytes' ? fmt.value : m.fail('TypeError', 'Struct() argument 1 must be a str or bytes, not ' + (fmt === undefined ? 'None' : m.typeName(fmt)));
  let body = text;
  let big = false;
  if (/^[!><=@]/.test(body)) {
    big = body[0] === '!' || body[0] === '>';
    if (body[0] === '@') m.fail('NotImplementedError', "native alignment ('@') is not simulated; use '!' for network byte order");
    body = body.slice(1);
  } else if (body !== '') m.fail('NotImplementedError', "native alignment is not simulated; start the format with '!' for network byte order");
  const items: Item[] = [];
  const re = /\s*(\d*)([a-zA-Z?])/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while ((match = re.exec(body)) !== null) {
    const count = match[1] === '' ? 1 : Number(match[1]);
    const code = match[2] as string;
    at = re.lastIndex;
    if (code === 's' || code === 'x') items.push({ code, count, size: count });
    else {
      const c = CODES[code];
      if (c === undefined) structError('bad char in struct format');
      for (let i = 0; i < count; i++) items.push({ code, count: 1, size: c.size });
    }
  }
  if (body.slice(at).trim() !== '') structError('bad char in struct format');
  return { big, items };
}

function packInt(n: number, size: number, big: boolean): string {
  let v = BigInt(n);
  if (v < 0n) v += 1n << BigInt(size * 8);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  if (big) out.reverse();
  return String.fromCharCode(...out);
}

function unpackInt(b: string, signed: boolean, big: boolean): number {
  const chars = [...b].map((c) => c.charCodeAt(0));
  if (!big) chars.reverse();
  let v = 0n;
  for (const c of chars) v = (v << 8n) | BigInt(c);
  if (signed && chars.length > 0 && (chars[0] as number) >= 0x80) v -= 1n << BigInt(chars.length * 8);
  return Number(v);
}

export function structCall(m: Machine, name: string, args: readonly PyValue[]): PyValue {
  const f = parseFormat(m, args[0]);
  const total = f.items.reduce((n, i) => n + i.size, 0);
  switch (name) {
    case 'calcsize':
      return int(total);
    case 'pack': {
      const values = args.slice(1);
      const needed = f.items.filter((i) => i.code !== 'x').length;
      if (values.length !== needed) structError(`pack expected ${needed} items for packing (got ${values.length})`);
      let out = '';
      let k = 0;
      for (const item of f.items) {
        if (item.code === 'x') {
          out += '\0'.repeat(item.count);
          continue;
        }
        const v = values[k++] as PyValue;
        if (item.code === 's') {
          if (v.type !== 'bytes') structError("argument for 's' must be a bytes object");
          out += v.value.slice(0, item.count).padEnd(item.count, '\0');
          continue;
        }
        if (item.code === '?') {
          out += m.truthy(v) ? '\x01' : '\0';
          continue;
        }
        if (v.type !== 'int' && v.type !== 'bool') structError('required argument is not an integer');
        const n = v.type === 'bool' ? Number(v.value) : v.value;
        const c = CODES[item.code] as Code;
        const bits = BigInt(c.size * 8);
        const lo = c.signed ? -(1n << (bits - 1n)) : 0n;
        const hi = c.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
        if (BigInt(n) < lo || BigInt(n) > hi) {
          if (c.size === 1 && !c.signed) structError('ubyte format requires 0 <= number <= 255');
          if (c.size === 1) structError('byte format requires -128 <= number <= 127');
          structError(`'${item.code}' format requires ${lo} <= number <= ${hi}`);
        }
        out += packInt(n, c.size, f.big);
      }
      return bytes(out);
    }
    case 'unpack':
    case 'unpack_from': {
      const buf = args[1];
      if (buf?.type !== 'bytes') return m.fail('TypeError', `a bytes-like object is required, not '${buf === undefined ? 'NoneType' : m.typeName(buf)}'`);
      const offset = name === 'unpack_from' && args[2]?.type === 'int' ? args[2].value : 0;
      const data = buf.value.slice(offset);
      if (name === 'unpack' ? data.length !== total : data.length < total) {
        structError(name === 'unpack' ? `unpack requires a buffer of ${total} bytes` : `unpack_from requires a buffer of at least ${total + offset} bytes for unpacking ${total} bytes at offset ${offset} (actual buffer size is ${buf.value.length})`);
      }
      const out: PyValue[] = [];
      let at = 0;
      for (const item of f.items) {
        const chunk = data.slice(at, at + item.size);
        at += item.size;
        if (item.code === 'x') continue;
        if (item.code === 's') out.push(bytes(chunk));
        else if (item.code === '?') out.push(bool(chunk !== '\0'));
        else out.push(int(unpackInt(chunk, (CODES[item.code] as Code).signed, f.big)));
      }
      return tuple(...out);
    }
    default:
      return m.fail('AttributeError', `module 'struct' has no attribute '${name}'`);
  }
}
