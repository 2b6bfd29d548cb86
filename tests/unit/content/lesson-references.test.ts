import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every lesson's order (from its frontmatter) and text, read from content/lessons. */
const DIR = new URL('../../../content/lessons/', import.meta.url);
const lessons = readdirSync(DIR)
  .filter((name) => name.endsWith('.mdx'))
  .map((name) => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    const order = Number(/^order:\s*(\d+)/m.exec(text)?.[1]);
    return { name, order, text };
  });
const orders = new Set(lessons.map((lesson) => lesson.order));

/** The places a lesson points at another: "the next lesson", "a later lesson", "lesson 7", "the previous lesson". */
function references(text: string, order: number): { phrase: string; target: number | 'later' | 'earlier' }[] {
  const found: { phrase: string; target: number | 'later' | 'earlier' }[] = [];
  for (const match of text.matchAll(/\b(next|later|previous|last|earlier) lessons?\b/gi)) {
    const word = (match[1] ?? '').toLowerCase();
    found.push({
      phrase: match[0],
      target: word === 'next' ? order + 1 : word === 'later' ? 'later' : word === 'previous' || word === 'last' ? order - 1 : 'earlier',
    });
  }
  for (const match of text.matchAll(/\blessons? (\d+)(?:\s*(?:–|-|to|and)\s*(\d+))?/gi)) {
    found.push({ phrase: match[0], target: Number(match[1]) });
    if (match[2] !== undefined) found.push({ phrase: match[0], target: Number(match[2]) });
  }
  return found;
}

describe('lessons only point at lessons that exist', () => {
  it('reads every lesson and its order', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(10);
    expect(orders.size).toBe(lessons.length);
  });

  it.each(lessons.map((lesson) => [lesson.name, lesson] as const))('%s', (_name, lesson) => {
    const dangling = references(lesson.text, lesson.order).filter(({ target }) =>
      target === 'later' ? ![...orders].some((o) => o > lesson.order) : target === 'earlier' ? ![...orders].some((o) => o < lesson.order) : !orders.has(target),
    );
    expect(dangling).toEqual([]);
  });

  it('would catch a promise of a lesson that does not exist', () => {
    const last = Math.max(...orders);
    expect(references('A later lesson covers it.', last)).toEqual([{ phrase: 'later lesson', target: 'later' }]);
    expect(references('See lesson 42.', 1)[0]?.target).toBe(42);
    expect(orders.has(42)).toBe(false);
    expect(references('The next lesson shows how.', last)[0]?.target).toBe(last + 1);
  });
});
