import { describe, expect, it } from 'vitest';
import { wrapLine, wrapWords } from '../../../src/client/word-wrap.ts';

describe('wrapLine', () => {
  it('breaks at the last space that fits, never inside a word', () => {
    expect(wrapLine('type a line and press Enter to send the command.', 20)).toEqual([
      'type a line and',
      'press Enter to send',
      'the command.',
    ]);
  });

  it('leaves a line that fits alone, and breaks where a space meets the edge', () => {
    expect(wrapLine('exactly ten', 11)).toEqual(['exactly ten']);
    expect(wrapLine('abcde fghij', 5)).toEqual(['abcde', 'fghij']);
  });

  it('cuts a word longer than a row at the edge', () => {
    expect(wrapLine('127.0.0.1:40000→127.0.0.1:50002 ok', 10)).toEqual(['127.0.0.1:', '40000→127.', '0.0.1:5000', '2 ok']);
  });

  it('gives colour escapes no width and keeps them', () => {
    const rows = wrapLine('\x1b[31mrefused "10.0.0.1 22": try nc echo\x1b[0m', 16);
    expect(rows.map((row) => row.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(['refused', '"10.0.0.1 22":', 'try nc echo']);
    expect(rows[0]?.startsWith('\x1b[31m')).toBe(true);
    expect(rows.at(-1)?.endsWith('\x1b[0m')).toBe(true);
  });
});

describe('wrapWords', () => {
  it('wraps each line and joins rows with CR LF', () => {
    expect(wrapWords('one two three\nfour', 8)).toBe('one two\r\nthree\r\nfour');
  });
});
