import { getCollection, type CollectionEntry } from 'astro:content';

export type Lesson = CollectionEntry<'lessons'>;

/** The course in order. */
export async function getLessons(): Promise<Lesson[]> {
  const lessons = await getCollection('lessons');
  return lessons.sort((a, b) => a.data.order - b.data.order);
}

/** The URL slug of a lesson: its file name without the NN- prefix. */
export function lessonSlug(lesson: Lesson): string {
  return lesson.id.replace(/^\d+-/, '');
}
