import { loadProgress, markDone, rememberPlace, saveProgress } from './progress.ts';

/** The fragment the home page's "Continue" link adds: back to where the learner stopped. */
export const CONTINUE_HASH = '#continue';

/**
 * A lesson page's navigation: ticks done lessons in the sidebar, closes the phone menu after a jump,
 * drives the "done" control, and remembers this lesson and how far down it the learner read.
 */
export function mountCourseNav(menu: HTMLElement, doneButton: HTMLButtonElement | null): void {
  const here = doneButton?.dataset.lesson;
  const title = doneButton?.dataset.title ?? document.title;

  const tick = () => {
    const done = new Set(loadProgress().done);
    for (const link of menu.querySelectorAll<HTMLAnchorElement>('a[data-lesson]')) {
      const isDone = done.has(link.dataset.lesson ?? '');
      link.toggleAttribute('data-done', isDone);
      // The tick is drawn by CSS; this says it in words.
      link.querySelector('.course-nav-done')?.remove();
      if (isDone) {
        const words = document.createElement('span');
        words.className = 'visually-hidden course-nav-done';
        words.textContent = ' (done)';
        link.append(words);
      }
    }
    if (doneButton !== null && here !== undefined) {
      const isDone = done.has(here);
      doneButton.setAttribute('aria-pressed', String(isDone));
      doneButton.textContent = isDone ? '✓ Done' : 'Mark this lesson done';
    }
  };

  menu.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a') !== null && menu.matches(':popover-open')) menu.hidePopover();
  });

  if (doneButton !== null && here !== undefined) {
    doneButton.hidden = false;
    doneButton.addEventListener('click', () => {
      const progress = loadProgress();
      saveProgress(markDone(progress, here, !progress.done.includes(here)));
      tick();
    });
  }
  tick();
  // Another tab marking a lesson done shows here too.
  addEventListener('storage', tick);

  if (here === undefined) return;
  if (location.hash === CONTINUE_HASH) {
    const last = loadProgress().last;
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    if (last?.lesson === here) scrollTo({ top: last.scrollY });
  }
  let pending = false;
  const remember = () => {
    pending = false;
    saveProgress(rememberPlace(loadProgress(), here, title, scrollY));
  };
  remember();
  addEventListener(
    'scroll',
    () => {
      if (pending) return;
      pending = true;
      setTimeout(remember, 500);
    },
    { passive: true },
  );
  addEventListener('pagehide', remember);
}
