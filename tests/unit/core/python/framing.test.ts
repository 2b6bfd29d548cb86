import { describe, expect, it } from 'vitest';
import { lines, py } from './run.ts';

/** What lesson 7's programs lean on: each result is what CPython 3.11 prints for the same text. */
describe('the subset, for framing', () => {
  it('has EOFError, an Exception that is not an OSError, to raise and catch', () => {
    const r = py(
      lines(
        'try:',
        '    raise EOFError("the peer closed after 0 of 4 bytes")',
        'except OSError:',
        '    print("OSError")',
        'except Exception as e:',
        '    print(repr(e), isinstance(e, EOFError))',
        'raise EOFError',
      ),
    );
    expect(r.stdout).toEqual(["EOFError('the peer closed after 0 of 4 bytes') True"]);
    expect(r.tracebacks.map((t) => [t.type, t.message])).toEqual([['EOFError', '']]);
  });

  it('refuses half a UTF-8 character, and decodes it once the rest has arrived', () => {
    const r = py(lines('data = "café".encode()', 'print(len(data), data[:4] + data[4:] == data)', 'print(data.decode())', 'data[:4].decode()'));
    expect(r.stdout).toEqual(['5 True', 'café']);
    expect(r.tracebacks.map((t) => [t.type, t.message])).toEqual([['UnicodeDecodeError', "'utf-8' codec can't decode byte 0xc3 in position 3: unexpected end of data"]]);
  });

  it('cuts complete lines off a buffer and keeps the tail', () => {
    const r = py(lines('buffer = b"one\\ntwo\\nthr"', 'while b"\\n" in buffer:', '    line, buffer = buffer.split(b"\\n", 1)', '    print(line)', 'print(buffer)'));
    expect(r.stdout).toEqual(["b'one'", "b'two'", "b'thr'"]);
  });

  it('packs and unpacks a 4-byte length in network byte order', () => {
    const r = py(lines('import struct', 'print(struct.pack("!I", 5), struct.pack("<I", 5))', '(n,) = struct.unpack("!I", b"hell")', 'print(n)'));
    expect(r.stdout).toEqual(["b'\\x00\\x00\\x00\\x05' b'\\x05\\x00\\x00\\x00'", '1751477356']);
  });
});
