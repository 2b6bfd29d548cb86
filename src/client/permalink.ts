/** Rewrites this page's query in place (no new history entry), keeping other widgets' parameters. */
export function updateQuery(write: (params: URLSearchParams) => void): void {
  const params = new URLSearchParams(location.search);
  write(params);
  const query = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${query === '' ? '' : `?${query}`}${location.hash}`);
}

/** A "Copy a link to this step" button: brings the address up to date, copies it, and says so. */
export function bindCopyLink(button: HTMLButtonElement, save: () => void): void {
  const label = button.textContent ?? '';
  button.addEventListener('click', () => {
    save();
    navigator.clipboard.writeText(location.href).then(
      () => (button.textContent = 'Link copied'),
      () => (button.textContent = 'Copy failed: the address bar has the link'),
    );
    setTimeout(() => (button.textContent = label), 2500);
  });
}
