import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The course's Python programs, the only copy of each; the site publishes them under /programs/. */
export const PROGRAMS_DIR = join(process.cwd(), 'content', 'programs');

export async function programFiles(): Promise<string[]> {
  return (await readdir(PROGRAMS_DIR)).filter((file) => file.endsWith('.py')).sort();
}

/** The download address of a program a lesson names; a name with no file fails the build, saying which. */
export async function programHref(file: string, lesson: string): Promise<string> {
  if (!(await programFiles()).includes(file)) throw new Error(`lesson ${lesson}: programs names "${file}", which is not in content/programs`);
  return `/programs/${file}`;
}
