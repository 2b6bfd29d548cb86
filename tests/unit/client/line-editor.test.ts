import { describe, expect, it } from 'vitest';
import { LineEditor, MAX_LINE_CHARS, parseKeys } from '../../../src/client/line-editor.ts';

function type(editor: LineEditor, data: string) {
  return parseKeys(data).map((key) => editor.apply(key));
}

describe('parseKeys', () => {
  it('splits text, controls and escape sequences', () => {
    expect(parseKeys('ab\x1b[Dc\r')).toEqual([
      { kind: 'text', text: 'ab' },
      { kind: 'left' },
      { kind: 'text', text: 'c' },
      { kind: 'enter' },
    ]);
    expect(parseKeys('\x03\x04\x1d\x0c\x7f')).toEqual([
      { kind: 'interrupt' },
      { kind: 'eof' },
      { kind: 'detach' },
      { kind: 'clear-screen' },
      { kind: 'backspace' },
    ]);
  });

  it('treats a pasted CRLF as one Enter and never inserts an unknown escape', () => {
    expect(parseKeys('one\r\ntwo\r\n')).toEqual([
      { kind: 'text', text: 'one' },
      { kind: 'enter' },
      { kind: 'text', text: 'two' },
      { kind: 'enter' },
    ]);
    expect(parseKeys('\x1b[15~x')).toEqual([{ kind: 'ignored' }, { kind: 'text', text: 'x' }]);
  });
});

describe('LineEditor', () => {
  it('edits in the middle of a line', () => {
    const editor = new LineEditor();
    type(editor, 'hllo\x1b[D\x1b[D\x1b[D');
    type(editor, 'e');
    expect(editor.line).toBe('hello');
    expect(editor.cursor).toBe(2);
    type(editor, '\x1b[3~\x1b[F\x7f');
    expect(editor.line).toBe('hel');
  });

  it('submits and recalls history with up and down, keeping the draft', () => {
    const editor = new LineEditor();
    expect(type(editor, 'nc echo\r')).toEqual([{ kind: 'changed' }, { kind: 'submit', line: 'nc echo' }]);
    type(editor, 'ss\r');
    type(editor, 'dra');
    type(editor, '\x1b[A');
    expect(editor.line).toBe('ss');
    type(editor, '\x1b[A');
    expect(editor.line).toBe('nc echo');
    type(editor, '\x1b[A');
    expect(editor.line).toBe('nc echo');
    type(editor, '\x1b[B\x1b[B');
    expect(editor.line).toBe('dra');
  });

  it('does not store blank lines or immediate repeats', () => {
    const editor = new LineEditor();
    type(editor, 'ss\rss\r   \r');
    expect(editor.history).toEqual(['ss']);
  });

  it('reports signals and refuses text past the longest line', () => {
    const editor = new LineEditor();
    expect(type(editor, '\x04')).toEqual([{ kind: 'signal', signal: 'eof' }]);
    type(editor, 'x'.repeat(MAX_LINE_CHARS));
    expect(type(editor, 'y')).toEqual([{ kind: 'unchanged' }]);
    expect(editor.line.length).toBe(MAX_LINE_CHARS);
  });
});
