import type { BinOp } from './ast.ts';
import type { PyValue } from '../select-loop/py-value.ts';
import { bool, bytes, float, floatRepr, int, setOrder, str, tuple } from '../select-loop/py-value.ts';
import type { Machine } from './machine.ts';

/** Python's operators and conversions on the built-in types, raising TypeError as CPython words it. */

function num(v: PyValue): number | undefined {
  if (v.type === 'int' || v.type === 'float') return v.value;
  if (v.type === 'bool') return Number(v.value);
  return undefined;
}

function isIntLike(v: PyValue): boolean {
  return v.type === 'int' || v.type === 'bool';
}

/** str(v). */
export function pyStr(v: PyValue, m: Machine): string {
  switch (v.type) {
    case 'str':
      return v.value;
    case 'exception':
      return m.excText(v);
    default:
      return m.repr(v);
  }
}

export function iterate(m: Machine, v: PyValue): readonly PyValue[] {
  switch (v.type) {
    case 'tuple':
    case 'iter':
      return v.items;
    case 'list': {
      const o = m.heap(v.ref);
      return o.kind === 'list' ? o.items : [];
    }
    case 'set': {
      const o = m.heap(v.ref);
      return o.kind === 'set' ? setOrder(o.items) : [];
    }
    case 'dict': {
      const o = m.heap(v.ref);
      return o.kind === 'dict' ? o.keys : [];
    }
    case 'str':
      return [...v.value].map((c) => str(c));
    case 'bytes':
      return [...v.value].map((c) => int(c.charCodeAt(0)));
    case 'range': {
      const out: PyValue[] = [];
      for (let i = v.start; v.step > 0 ? i < v.stop : i > v.stop; i += v.step) out.push(int(i));
      return out;
    }
    default:
      return m.fail('TypeError', `'${m.typeName(v)}' object is not iterable`);
  }
}

export function pyEquals(m: Machine, a: PyValue, b: PyValue): boolean {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (a.type === 'str' && b.type === 'str') return a.value === b.value;
  if (a.type === 'bytes' && b.type === 'bytes') return a.value === b.value;
  if (a.type === 'None' || b.type === 'None') return a.type === b.type;
  if (a.type === 'tuple' && b.type === 'tuple') return a.items.length === b.items.length && a.items.every((v, i) => pyEquals(m, v, b.items[i] as PyValue));
  if (a.type === 'list' && b.type === 'list') {
    const p = iterate(m, a);
    const q = iterate(m, b);
    return p.length === q.length && p.every((v, i) => pyEquals(m, v, q[i] as PyValue));
  }
  if (a.type === 'set' && b.type === 'set') {
    const p = iterate(m, a);
    const q = iterate(m, b);
    return p.length === q.length && p.every((v) => q.some((w) => pyEquals(m, v, w)));
  }
  if (a.type === 'dict' && b.type === 'dict') {
    const p = m.heap(a.ref);
    const q = m.heap(b.ref);
    if (p.kind !== 'dict' || q.kind !== 'dict' || p.keys.length !== q.keys.length) return false;
    return p.keys.every((k, i) => {
      const j = q.keys.findIndex((x) => pyEquals(m, x, k));
      return j >= 0 && pyEquals(m, p.values[i] as PyValue, q.values[j] as PyValue);
    });
  }
  if (a.type === 'socket' && b.type === 'socket') return a.id === b.id;
  if ('ref' in a && 'ref' in b) return a.type === b.type && a.ref === b.ref;
  if (a.type === 'type' && b.type === 'type') return a.name === b.name;
  if (a.type === 'key' && b.type === 'key') return a.sock === b.sock && a.fd === b.fd && a.events === b.events && pyEquals(m, a.data, b.data);
  return a === b;
}

export function containsValue(m: Machine, container: PyValue, item: PyValue): boolean {
  if (container.type === 'str') {
    if (item.type !== 'str') m.fail('TypeError', `'in <string>' requires string as left operand, not ${m.typeName(item)}`);
    return container.value.includes(item.value);
  }
  if (container.type === 'bytes') {
    if (item.type === 'int') return container.value.includes(String.fromCharCode(item.value));
    if (item.type !== 'bytes') m.fail('TypeError', `a bytes-like object is required, not '${m.typeName(item)}'`);
    return container.value.includes(item.value);
  }
  return iterate(m, container).some((v) => pyEquals(m, v, item));
}

function sequenceCompare(m: Machine, a: readonly PyValue[], b: readonly PyValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as PyValue;
    const y = b[i] as PyValue;
    if (!pyEquals(m, x, y)) return compareValues(m, '<', x, y) ? -1 : 1;
  }
  return a.length - b.length;
}

export function compareValues(m: Machine, op: '<' | '<=' | '>' | '>=' | string, a: PyValue, b: PyValue): boolean {
  let c: number;
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) c = x - y;
  else if ((a.type === 'str' && b.type === 'str') || (a.type === 'bytes' && b.type === 'bytes')) c = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  else if (a.type === 'tuple' && b.type === 'tuple') c = sequenceCompare(m, a.items, b.items);
  else if (a.type === 'list' && b.type === 'list') c = sequenceCompare(m, iterate(m, a), iterate(m, b));
  else return m.fail('TypeError', `'${op}' not supported between instances of '${m.typeName(a)}' and '${m.typeName(b)}'`);
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

function unsupported(m: Machine, op: string, a: PyValue, b: PyValue): never {
  return m.fail('TypeError', `unsupported operand type(s) for ${op}: '${m.typeName(a)}' and '${m.typeName(b)}'`);
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function repeat(m: Machine, s: string, n: PyValue): string {
  if (!isIntLike(n)) m.fail('TypeError', `can't multiply sequence by non-int of type '${m.typeName(n)}'`);
  return s.repeat(Math.max(0, num(n) as number));
}

export function binaryOp(m: Machine, op: BinOp, a: PyValue, b: PyValue): PyValue {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) {
    const ints = isIntLike(a) && isIntLike(b);
    const wrap = (n: number) => (ints ? int(n) : float(n));
    switch (op) {
      case '+':
        return wrap(x + y);
      case '-':
        return wrap(x - y);
      case '*':
        return wrap(x * y);
      case '/':
        if (y === 0) m.fail('ZeroDivisionError', 'division by zero');
        return float(x / y);
      case '//':
        if (y === 0) m.fail('ZeroDivisionError', ints ? 'integer division or modulo by zero' : 'float floor division by zero');
        return wrap(floorDiv(x, y));
      case '%':
        if (y === 0) m.fail('ZeroDivisionError', ints ? 'integer modulo by zero' : 'float modulo');
        return wrap(pyMod(x, y));
      case '**':
        return ints && y >= 0 ? int(x ** y) : float(x ** y);
      default:
        if (!ints) unsupported(m, op, a, b);
        switch (op) {
          case '|':
            return a.type === 'bool' && b.type === 'bool' ? bool(a.value || b.value) : int(x | y);
          case '&':
            return a.type === 'bool' && b.type === 'bool' ? bool(a.value && b.value) : int(x & y);
          case '^':
            return int(x ^ y);
          case '<<':
            return int(x * 2 ** y);
          case '>>':
            return int(Math.floor(x / 2 ** y));
        }
    }
  }
  if (op === '+') {
    if (a.type === 'str' && b.type === 'str') return str(a.value + b.value);
    if (a.type === 'bytes' && b.type === 'bytes') return bytes(a.value + b.value);
    if (a.type === 'tuple' && b.type === 'tuple') return tuple(...a.items, ...b.items);
    if (a.type === 'list' && b.type === 'list') return m.newList([...iterate(m, a), ...iterate(m, b)]);
    if (a.type === 'str') m.fail('TypeError', `can only concatenate str (not "${m.typeName(b)}") to str`);
    if (a.type === 'bytes') m.fail('TypeError', `can't concat ${m.typeName(b)} to bytes`);
    if (a.type === 'list') m.fail('TypeError', `can only concatenate list (not "${m.typeName(b)}") to list`);
  }
  if (op === '*') {
    if (a.type === 'str') return str(repeat(m, a.value, b));
    if (a.type === 'bytes') return bytes(repeat(m, a.value, b));
    if (b.type === 'str') return str(repeat(m, b.value, a));
    if (b.type === 'bytes') return bytes(repeat(m, b.value, a));
    if (a.type === 'list' && isIntLike(b)) {
      const items = iterate(m, a);
      const out: PyValue[] = [];
      for (let i = 0; i < (num(b) as number); i++) out.push(...items);
      return m.newList(out);
    }
  }
  if (op === '%' && a.type === 'str') return str(percentFormat(m, a.value, b));
  if ((op === '|' || op === '&' || op === '-') && a.type === 'set' && b.type === 'set') {
    const p = iterate(m, a);
    const q = iterate(m, b);
    const items =
      op === '|' ? [...p, ...q.filter((v) => !p.some((w) => pyEquals(m, v, w)))] : p.filter((v) => q.some((w) => pyEquals(m, v, w)) === (op === '&'));
    return { type: 'set', ref: m.alloc({ kind: 'set', items }) };
  }
  return unsupported(m, op, a, b);
}

function percentFormat(m: Machine, fmt: string, arg: PyValue): string {
  const args = arg.type === 'tuple' ? [...arg.items] : [arg];
  const out = fmt.replace(/%([-0-9.]*)([sdrx%])/g, (_all, spec: string, conv: string) => {
    if (conv === '%') return '%';
    const v = args.shift();
    if (v === undefined) return m.fail('TypeError', 'not enough arguments for format string');
    const text = conv === 'r' ? m.repr(v) : conv === 'd' ? String(Math.trunc(num(v) ?? 0)) : conv === 'x' ? (num(v) ?? 0).toString(16) : pyStr(v, m);
    return applyWidth(text, spec, conv === 'd' || conv === 'x' ? '>' : '<');
  });
  if (args.length > 0) m.fail('TypeError', 'not all arguments converted during string formatting');
  return out;
}

function applyWidth(text: string, spec: string, defaultAlign: '<' | '>'): string {
  const left = spec.startsWith('-');
  const zero = spec.replace('-', '').startsWith('0');
  const width = Number(/\d+/.exec(spec)?.[0] ?? 0);
  if (text.length >= width) return text;
  if (left || defaultAlign === '<') return text.padEnd(width);
  return text.padStart(width, zero ? '0' : ' ');
}

/** format(v, spec): the mini-language's fill, align, sign, width, precision and type, for the types here. */
export function formatValue(m: Machine, v: PyValue, spec: string): string {
  if (spec === '') return pyStr(v, m);
  const r = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (r === null) return m.fail('ValueError', `Invalid format specifier '${spec}' for object of type '${m.typeName(v)}'`);
  const [, fillCh, alignCh, sign, alt, zero, widthText, group, precText, type] = r;
  const n = num(v);
  let body: string;
  if (n !== undefined && v.type !== 'str') {
    const prec = precText === undefined ? undefined : Number(precText);
    switch (type) {
      case 'f':
      case 'F':
        body = Math.abs(n).toFixed(prec ?? 6);
        break;
      case 'e':
        body = Math.abs(n).toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        break;
      case '%':
        body = `${(Math.abs(n) * 100).toFixed(prec ?? 6)}%`;
        break;
      case 'x':
        body = Math.abs(n).toString(16);
        break;
      case 'X':
        body = Math.abs(n).toString(16).toUpperCase();
        break;
      case 'b':
        body = Math.abs(n).toString(2);
        break;
      case 'o':
        body = Math.abs(n).toString(8);
        break;
      case 'c':
        body = String.fromCodePoint(n);
        break;
      default:
        body = v.type === 'float' ? (prec === undefined ? floatRepr(Math.abs(n)) : Math.abs(n).toPrecision(prec)) : String(Math.abs(n));
    }
    if (alt !== undefined && (type === 'x' || type === 'X' || type === 'o' || type === 'b')) body = `0${type}${body}`;
    if (group !== undefined) body = body.replace(/^(\d+)/, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, group));
    const signText = n < 0 ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    const width = Number(widthText ?? 0);
    if ((zero !== undefined && alignCh === undefined) || alignCh === '=') {
      const fill = fillCh ?? (zero !== undefined ? '0' : ' ');
      return signText + body.padStart(width - signText.length, fill);
    }
    body = signText + body;
    return align(body, width, fillCh ?? ' ', alignCh ?? '>');
  }
  if (type !== undefined && type !== 's') return m.fail('ValueError', `Unknown format code '${type}' for object of type '${m.typeName(v)}'`);
  let text = pyStr(v, m);
  if (precText !== undefined) text = text.slice(0, Number(precText));
  return align(text, Number(widthText ?? 0), fillCh ?? ' ', alignCh ?? '<');
}

function align(text: string, width: number, fill: string, how: string): string {
  const pad = width - text.length;
  if (pad <= 0) return text;
  if (how === '<') return text + fill.repeat(pad);
  if (how === '^') return fill.repeat(Math.floor(pad / 2)) + text + fill.repeat(pad - Math.floor(pad / 2));
  return fill.repeat(pad) + text;
}
