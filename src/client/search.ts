/** The slice of Pagefind's browser API this page uses (dist/pagefind/pagefind.js, written at build). */
type Pagefind = {
  search: (query: string) => Promise<{ results: { data: () => Promise<PagefindHit> }[] }>;
};
type PagefindHit = { url: string; excerpt: string; meta: { title?: string } };

const MAX_RESULTS = 10;

/**
 * The search page: results for ?q= on load and as the learner types. Pagefind's index is static
 * files, so search runs in the browser with no server.
 */
export function mountSearch(input: HTMLInputElement, status: HTMLElement, list: HTMLOListElement): void {
  // A path the bundler must not resolve: the index only exists after the build.
  const url = '/pagefind/pagefind.js';
  let pagefind: Promise<Pagefind> | undefined;
  let latest = 0;

  const run = async (query: string) => {
    const ticket = ++latest;
    if (query.trim() === '') {
      list.replaceChildren();
      status.textContent = 'Type a word from any lesson.';
      return;
    }
    pagefind ??= import(/* @vite-ignore */ url) as Promise<Pagefind>;
    const found = await (await pagefind).search(query);
    const hits = await Promise.all(found.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    if (ticket !== latest) return;
    list.replaceChildren(
      ...hits.map((hit) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = hit.url;
        link.textContent = hit.meta.title ?? hit.url;
        const excerpt = document.createElement('p');
        // Pagefind escapes the page text and adds only <mark> around the words found.
        excerpt.innerHTML = hit.excerpt;
        item.append(link, excerpt);
        return item;
      }),
    );
    const count = found.results.length;
    status.textContent =
      count === 0 ? `No lesson mentions “${query}”.` : count === 1 ? `1 lesson mentions “${query}”.` : `${count} lessons mention “${query}”.`;
  };

  const fail = () => (status.textContent = 'Search could not load; reload the page to try again.');
  input.value = new URLSearchParams(location.search).get('q') ?? '';
  input.addEventListener('input', () => {
    history.replaceState(history.state, '', input.value === '' ? location.pathname : `?q=${encodeURIComponent(input.value)}`);
    run(input.value).catch(fail);
  });
  run(input.value).catch(fail);
}
