import { z } from 'zod';

/** Frontmatter every lesson in content/lessons must carry. */
export const lessonFrontmatter = z
  .object({
    title: z.string().min(3).max(80).describe('Headline of the lesson, shown in the course list and the page title.'),
    order: z.number().int().positive().describe('Position in the course; lessons are listed and linked in this order.'),
    summary: z.string().min(20).max(240).describe('One or two sentences shown under the title on the home page.'),
    objectives: z
      .array(z.string().min(5))
      .min(1)
      .max(6)
      .describe('What a learner can do or explain after the lesson, each a short sentence.'),
    source: z.string().min(3).describe('Which journal entry the lesson draws its facts from, e.g. "journal 01, August 5".'),
    programs: z
      .array(z.string().regex(/^[a-z0-9_]+\.py$/, 'a file name in content/programs, e.g. "blocking_echo.py"'))
      .default([])
      .describe('Programs in content/programs the lesson runs or shows; each gets a Download link at the end of the lesson.'),
  })
  .strict();

export type LessonFrontmatter = z.infer<typeof lessonFrontmatter>;
