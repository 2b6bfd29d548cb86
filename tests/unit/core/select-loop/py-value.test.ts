import { describe, expect, it } from 'vitest';
import type { HeapObj } from '../../../../src/core/select-loop/py-value.ts';
import { bytesLiteral, repr, strLiteral, tuple, str, int, bytes, utf8Decode, utf8Encode } from '../../../../src/core/select-loop/py-value.ts';

const HEAP: readonly HeapObj[] = [
  { kind: 'namespace', fields: { outb: bytes('hi') } },
  { kind: 'list', items: [bytes('a'), { type: 'socket', id: 2 }] },
  { kind: 'lock', holder: 1 },
];
const ctx = { socket: (id: number) => `<socket ${id}>`, heap: (ref: number) => HEAP[ref] as HeapObj };

describe('Python reprs', () => {
  it('writes bytes and str as CPython does', () => {
    expect(bytesLiteral('hello\n')).toBe("b'hello\\n'");
    expect(bytesLiteral("it's")).toBe('b"it\'s"');
    expect(bytesLiteral('\'"')).toBe("b'\\'\"'");
    expect(bytesLiteral('\x00\x7f\x80\xff\\')).toBe("b'\\x00\\x7f\\x80\\xff\\\\'");
    expect(bytesLiteral('\t\r')).toBe("b'\\t\\r'");
    expect(strLiteral('127.0.0.1')).toBe("'127.0.0.1'");
    expect(strLiteral('café')).toBe("'café'");
  });

  it('writes tuples, lists and namespaces', () => {
    expect(repr(tuple(str('127.0.0.1'), int(50001)), ctx)).toBe("('127.0.0.1', 50001)");
    expect(repr(tuple(int(1)), ctx)).toBe('(1,)');
    expect(repr({ type: 'list', ref: 1 }, ctx)).toBe("[b'a', <socket 2>]");
    expect(repr({ type: 'namespace', ref: 0 }, ctx)).toBe("namespace(outb=b'hi')");
    expect(repr({ type: 'lock', ref: 2 }, ctx)).toBe('<locked _thread.lock object>');
  });
});

describe('UTF-8', () => {
  it('encodes text to bytes, one character per byte', () => {
    expect(utf8Encode('hé')).toBe('h\xc3\xa9');
  });

  it('decodes strictly, with CPython’s error messages', () => {
    expect(utf8Decode('h\xc3\xa9')).toEqual({ ok: true, text: 'hé' });
    const err = (b: string) => {
      const d = utf8Decode(b);
      return d.ok ? '' : d.error;
    };
    expect(err('ab\xc3')).toBe("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 2: unexpected end of data");
    expect(err('\xe2\x82')).toBe("UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 0-1: unexpected end of data");
    expect(err('\xff')).toBe("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    expect(err('\xe2\x28\xa1')).toBe("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte");
    expect(err('\xf0\x90\x28')).toBe("UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte");
  });
});
