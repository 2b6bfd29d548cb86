/**
 * The few Python values the simulated programs hold. Bytes are JS strings whose
 * characters are all in 0–255, one character per byte, so slicing and length
 * match Python's bytes exactly.
 */
export type PyValue =
  | { readonly type: 'None' }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: string }
  | { readonly type: 'tuple'; readonly items: readonly PyValue[] }
  | { readonly type: 'list'; readonly items: readonly PyValue[] }
  /** A socket object; `id` names the kernel socket, which outlives the fd number. */
  | { readonly type: 'socket'; readonly id: number }
  /** A types.SimpleNamespace; its fields live on the heap because the selector and a frame share it. */
  | { readonly type: 'namespace'; readonly ref: number }
  /** A selectors.SelectorKey: a named tuple, so a snapshot, whose data is shared by reference. */
  | { readonly type: 'key'; readonly sock: number; readonly fd: number; readonly events: number; readonly data: PyValue }
  | { readonly type: 'lock'; readonly holder: number | undefined }
  /** Modules, functions, the selector: shown, never looked inside. */
  | { readonly type: 'opaque'; readonly repr: string };

export type Vars = Readonly<Record<string, PyValue>>;

export const NONE: PyValue = { type: 'None' };

export const int = (value: number): PyValue => ({ type: 'int', value });
export const str = (value: string): PyValue => ({ type: 'str', value });
export const bytes = (value: string): PyValue => ({ type: 'bytes', value });
export const tuple = (...items: PyValue[]): PyValue => ({ type: 'tuple', items });
export const list = (items: readonly PyValue[]): PyValue => ({ type: 'list', items });
export const socketValue = (id: number): PyValue => ({ type: 'socket', id });
export const opaque = (repr: string): PyValue => ({ type: 'opaque', repr });

/** What a repr needs from outside the value: the kernel's view of a socket, and the heap. */
export type ReprContext = {
  readonly socket: (id: number) => string;
  readonly namespace: (ref: number) => Vars | undefined;
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

/** Python's repr of a tuple: a one-item tuple keeps its trailing comma. */
function tupleRepr(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

export function repr(v: PyValue, ctx: ReprContext): string {
  switch (v.type) {
    case 'None':
      return 'None';
    case 'int':
      return String(v.value);
    case 'str':
      return strLiteral(v.value);
    case 'bytes':
      return bytesLiteral(v.value);
    case 'tuple':
      return tupleRepr(v.items.map((i) => repr(i, ctx)));
    case 'list':
      return `[${v.items.map((i) => repr(i, ctx)).join(', ')}]`;
    case 'socket':
      return ctx.socket(v.id);
    case 'namespace': {
      const fields = ctx.namespace(v.ref) ?? {};
      return `namespace(${Object.entries(fields)
        .map(([k, f]) => `${k}=${repr(f, ctx)}`)
        .join(', ')})`;
    }
    case 'key':
      return `SelectorKey(fileobj=${ctx.socket(v.sock)}, fd=${v.fd}, events=${v.events}, data=${repr(v.data, ctx)})`;
    case 'lock':
      return `<${v.holder === undefined ? 'unlocked' : 'locked'} _thread.lock object>`;
    case 'opaque':
      return v.repr;
  }
}

/** Python truthiness for the values a condition in our programs can test. */
export function truthy(v: PyValue): boolean {
  switch (v.type) {
    case 'None':
      return false;
    case 'int':
      return v.value !== 0;
    case 'str':
    case 'bytes':
      return v.value.length > 0;
    case 'tuple':
    case 'list':
      return v.items.length > 0;
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
