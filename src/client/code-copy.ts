/** Puts a Copy button on each code block in `root`; added by script, so none shows where it could not work. */
export function addCopyButtons(root: ParentNode): void {
  for (const pre of root.querySelectorAll<HTMLPreElement>('pre')) {
    const frame = document.createElement('div');
    frame.className = 'code-block';
    pre.replaceWith(frame);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'code-copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy code');
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(pre.innerText.replace(/\n$/, '')).then(
        () => (button.textContent = 'Copied'),
        () => (button.textContent = 'Copy failed'),
      );
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
    frame.append(pre, button);
  }
}
