import type { MarkdownHeading } from 'astro';

/** A link to a place in a lesson, for the sidebar's "On this page". */
export type OutlineLink = { href: string; text: string };

/** The EchoLab's id: one lab per lesson, so "Lab" can jump to it. */
export const LAB_ANCHOR = 'lab';

/**
 * The places a learner jumps to: the first "Try it" section, the live lab and the exercises, each
 * only where the lesson has one. `hasLab` comes from the lesson's source naming <EchoLab />.
 */
export function jumpLinks(headings: readonly MarkdownHeading[], hasLab: boolean): OutlineLink[] {
  const tryIt = headings.find((heading) => heading.slug.startsWith('try-it'));
  const exercises = headings.find((heading) => heading.slug === 'exercises');
  return [
    ...(tryIt === undefined ? [] : [{ href: `#${tryIt.slug}`, text: 'Try it' }]),
    ...(hasLab ? [{ href: `#${LAB_ANCHOR}`, text: 'Lab' }] : []),
    ...(exercises === undefined ? [] : [{ href: `#${exercises.slug}`, text: 'Exercises' }]),
  ];
}

/** The lesson's sections: its second-level headings, in order. */
export function tableOfContents(headings: readonly MarkdownHeading[]): OutlineLink[] {
  return headings.filter((heading) => heading.depth === 2).map((heading) => ({ href: `#${heading.slug}`, text: heading.text }));
}
