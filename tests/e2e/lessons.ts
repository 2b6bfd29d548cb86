import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A lesson as the course lists it, read from its source file rather than from the built site. */
export type CourseLesson = { readonly order: number; readonly title: string; readonly path: string };

const LESSONS_DIR = 'content/lessons';
/** The same files src/content.config.ts loads into the lessons collection. */
const LESSON_FILE = /^[0-9][0-9]-.*\.mdx$/;

/** One scalar of a lesson's frontmatter, as YAML writes it on one line: double-quoted, single-quoted or plain. */
function scalar(frontmatter: string, key: string, file: string): string {
  const line = new RegExp(`^${key}:[ \\t]*(.+)$`, 'm').exec(frontmatter)?.[1]?.trim();
  if (line === undefined) throw new Error(`${file}: no "${key}:" line in the frontmatter`);
  if (line.startsWith('"')) return JSON.parse(line) as string;
  if (line.startsWith("'")) return line.slice(1, -1).replaceAll("''", "'");
  return line;
}

/**
 * Every lesson in content/lessons, in course order: what the sidebar and the pager must show. The
 * site under test must be built from this tree, so a lesson added since the build makes these tests fail.
 */
export function courseLessons(): CourseLesson[] {
  return readdirSync(LESSONS_DIR)
    .filter((file) => LESSON_FILE.test(file))
    .map((file) => {
      const frontmatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(LESSONS_DIR, file), 'utf8'))?.[1];
      if (frontmatter === undefined) throw new Error(`${file}: no frontmatter`);
      return {
        order: Number(scalar(frontmatter, 'order', file)),
        title: scalar(frontmatter, 'title', file),
        path: `/lessons/${file.replace(/^\d+-/, '').replace(/\.mdx$/, '')}/`,
      };
    })
    .sort((a, b) => a.order - b.order);
}
