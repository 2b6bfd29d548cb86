/**
 * Writes one stepper's state into this page's address in place (no new history entry), keeping other
 * widgets' parameters; the fragment names this stepper, so the address bar, too, opens on it.
 */
export function updateQuery(key: string, write: (params: URLSearchParams) => void): void {
  const params = new URLSearchParams(location.search);
  write(params);
  const query = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${query === '' ? '' : `?${query}`}#${stepperAnchor(key)}`);
}

/** The id of a stepper's element: a shared link names it in its fragment, and the browser scrolls there. */
export function stepperAnchor(key: string): string {
  return `stepper-${key}`;
}

/**
 * The link to one stepper's moment: only that stepper's parameters (`key.*`), and a fragment naming
 * it, so the page opens on it however many other steppers the learner has touched.
 */
export function stepperLink(href: string, key: string): string {
  const url = new URL(href);
  const own = [...url.searchParams].filter(([name]) => name.startsWith(`${key}.`));
  url.search = new URLSearchParams(own).toString();
  url.hash = stepperAnchor(key);
  return url.href;
}

/**
 * Whether the learner has acted on `root` yet. Until then a stepper leaves the address alone, so
 * loading or scrolling a page never fills it with every widget's defaults.
 */
export function learnerActed(root: HTMLElement): () => boolean {
  let acted = false;
  const act = (event: Event) => {
    // Tabbing through a stepper on the way elsewhere is not using it.
    if (event instanceof KeyboardEvent && (event.key === 'Tab' || event.key === 'Shift')) return;
    acted = true;
  };
  for (const type of ['click', 'input', 'change', 'keydown']) root.addEventListener(type, act, { capture: true });
  return () => acted;
}

/** A "Copy a link to this step" button: brings the address up to date, copies this stepper's link, and says so. */
export function bindCopyLink(button: HTMLButtonElement, key: string, save: () => void): void {
  const label = button.textContent ?? '';
  button.addEventListener('click', () => {
    save();
    navigator.clipboard.writeText(stepperLink(location.href, key)).then(
      () => (button.textContent = 'Link copied'),
      () => (button.textContent = 'Copy failed: the address bar has the link'),
    );
    setTimeout(() => (button.textContent = label), 2500);
  });
}
