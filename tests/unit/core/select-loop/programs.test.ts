import { describe, expect, it } from 'vitest';
import { runLoop, scenariosFor, stepLines } from '../../../../src/core/select-loop/index.ts';
import { PROGRAMS } from '../../../../src/client/loop-programs.ts';
import { settle, loop } from './support/runs.ts';

const BLOCK_OPENERS = /^(if|elif|else|while|for|def|with|try|except|finally|class)\b/;

describe.each(PROGRAMS)('$id: the source is plausible Python 3', (program) => {
  const src = program.source;

  it('has no tabs, no trailing spaces, lines of at most 88 characters and 4-space indentation', () => {
    for (const line of src) {
      expect(line).not.toMatch(/\t/);
      expect(line).not.toMatch(/\s$/);
      expect(line.length).toBeLessThanOrEqual(88);
      expect((line.length - line.trimStart().length) % 4).toBe(0);
    }
  });

  it('balances brackets and quotes', () => {
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const stack: string[] = [];
    for (const line of src) {
      expect((line.match(/"/g) ?? []).length % 2).toBe(0);
      for (const ch of line) {
        if ('([{'.includes(ch)) stack.push(ch);
        if (ch in pairs) expect(stack.pop()).toBe(pairs[ch]);
      }
    }
    expect(stack).toEqual([]);
  });

  it('indents only after a block opener, by one level, and every opener ends with a colon', () => {
    const steps = stepLines(src);
    let prev = '';
    let depth = 0;
    src.forEach((line, i) => {
      const code = line.trim();
      if (code === '') return;
      const indent = line.length - line.trimStart().length;
      const prevIndent = prev.length - prev.trimStart().length;
      if (steps.has(i + 1) || code === 'else:' || code === 'try:') {
        if (indent > prevIndent && depth === 0) {
          expect(prev.trimEnd().endsWith(':')).toBe(true);
          expect(indent).toBe(prevIndent + 4);
        }
        if (BLOCK_OPENERS.test(code)) expect(code.endsWith(':')).toBe(true);
      }
      for (const ch of line) depth += '([{'.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
      if (depth === 0) prev = line;
    });
  });

  it('leaves two blank lines before each top-level def (PEP 8)', () => {
    src.forEach((line, i) => {
      if (line.startsWith('def ')) expect([src[i - 1], src[i - 2]]).toEqual(['', '']);
    });
  });

  it('is told with a title, a description, a file name, and scenarios written for it', () => {
    expect(program.title.length).toBeGreaterThan(3);
    expect(program.description.length).toBeGreaterThan(40);
    expect(program.file).toMatch(/^[a-z_]+\.py$/);
    expect(scenariosFor(program.id).length).toBeGreaterThan(0);
  });

  it('only ever stops on lines that are statements, and every statement is reached in some scenario', () => {
    const steps = program.module.stepLines;
    const seen = new Set<number>();
    for (const s of scenariosFor(program.id)) {
      for (const w of settle(loop(program.id, s.id))) {
        if (w.event.line !== undefined) seen.add(w.event.line);
        for (const t of w.threads) expect(steps.has(t.line)).toBe(true);
      }
    }
    for (const n of seen) expect(steps.has(n)).toBe(true);
    const unreached = [...steps].filter((n) => !seen.has(n)).map((n) => src[n - 1]?.trim());
    // A loop's `break` after the peer closes needs an injected close, and broadcast's failure branch a send (or an
    // asyncio drain()) that fails mid-broadcast, which only an input injected between two steps can arrange.
    for (const text of unreached) expect(['break', 'except OSError:', 'clients.remove(client)', 'except ConnectionError:', 'pass']).toContain(text);
  });
});

describe('programs run from their first line', () => {
  it.each(PROGRAMS)('$id starts at line 1 in MainThread and executes it', (program) => {
    const w = loop(program.id, scenariosFor(program.id)[0]?.id ?? 'live');
    expect(w.threads).toHaveLength(1);
    expect(w.threads[0]?.name).toBe('MainThread');
    expect(w.threads[0]?.line).toBe(1);
    const [, second] = runLoop(w, 1);
    expect(second?.event).toMatchObject({ kind: 'line', thread: 'MainThread', line: 1 });
  });
});
