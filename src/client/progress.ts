/** What the browser remembers of a learner's course, with no account: kept in localStorage. */
export type Progress = {
  /** Slugs of the lessons the learner marked done. */
  done: string[];
  /** The lesson last read, its title for the home page's link, and how far down it (CSS px) the learner was. */
  last?: { lesson: string; title: string; scrollY: number };
};

/*
 * Checked by hand, not with zod: this ships on every lesson page, and even zod/mini would be ten
 * times the rest of the navigation script.
 */
const isText = (value: unknown): value is string => typeof value === 'string';

function asProgress(value: unknown): Progress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { done, last } = value as Record<string, unknown>;
  if (!Array.isArray(done) || !done.every(isText)) return undefined;
  if (last === undefined) return { done };
  if (typeof last !== 'object' || last === null) return undefined;
  const { lesson, title, scrollY } = last as Record<string, unknown>;
  if (!isText(lesson) || !isText(title) || typeof scrollY !== 'number' || !(scrollY >= 0)) return undefined;
  return { done, last: { lesson, title, scrollY } };
}

export const PROGRESS_KEY = 'socket-playground:progress';
const EMPTY: Progress = { done: [] };

/** Reads stored progress; anything missing, foreign or malformed is a fresh start, never an error. */
export function parseProgress(stored: string | null): Progress {
  if (stored === null) return EMPTY;
  try {
    return asProgress(JSON.parse(stored)) ?? EMPTY;
  } catch {
    return EMPTY;
  }
}

export function markDone(progress: Progress, lesson: string, done: boolean): Progress {
  const others = progress.done.filter((slug) => slug !== lesson);
  return { ...progress, done: done ? [...others, lesson] : others };
}

export function rememberPlace(progress: Progress, lesson: string, title: string, scrollY: number): Progress {
  return { ...progress, last: { lesson, title, scrollY: Math.max(0, Math.round(scrollY)) } };
}

/** localStorage can be full, disabled or absent (private modes): progress is then just not kept. */
export function loadProgress(): Progress {
  try {
    return parseProgress(localStorage.getItem(PROGRESS_KEY));
  } catch {
    return EMPTY;
  }
}

export function saveProgress(progress: Progress): void {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // Not kept; the page works the same.
  }
}
