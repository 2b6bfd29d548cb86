/** The element marked data-part="name" inside a widget; its absence is a markup bug, so it throws. */
export function part<T extends HTMLElement>(root: ParentNode, name: string, scope = ''): T {
  const found = root.querySelector<T>(`${scope} [data-part="${name}"]`.trim());
  if (found === null) throw new Error(`widget markup lacks ${scope} [data-part="${name}"]`.replace('  ', ' '));
  return found;
}

/** A new element with optional text and class. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className !== undefined) made.className = className;
  return made;
}

/**
 * Loads a widget's code only when it comes near the viewport, so a page pays for a terminal or a
 * stepper only if the reader gets to it. `status` gets a plain sentence if loading fails.
 */
export function hydrateWhenVisible(root: HTMLElement, load: () => Promise<void>, status: Element | null): void {
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      load().catch(() => {
        if (status !== null) status.textContent = 'This part of the page could not load; reload the page to try again.';
      });
    },
    { rootMargin: '200px' },
  );
  observer.observe(root);
}

/** Text whose `backticked` parts are code (how the core's sentences mark Python), as nodes to append. */
export function withCode(text: string): Node[] {
  return text.split('`').map((piece, i) => (i % 2 === 1 ? element('code', piece) : document.createTextNode(piece)));
}
