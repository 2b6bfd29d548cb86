/**
 * The keys a phone's on-screen keyboard lacks, as buttons under the terminal. `data` is exactly what
 * a terminal sends for the key, so a button press and a key press are one input to the shell.
 */
export const TERMINAL_KEYS: readonly { label: string; name: string; data: string }[] = [
  { label: 'Ctrl-C', name: 'Ctrl-C: interrupt, closes the connection', data: '\x03' },
  { label: 'Ctrl-D', name: 'Ctrl-D: end of input, sends FIN', data: '\x04' },
  { label: 'Ctrl-]', name: 'Ctrl-]: back to the prompt', data: '\x1d' },
  { label: 'Tab', name: 'Tab', data: '\t' },
  { label: '↑', name: 'Up arrow: previous line', data: '\x1b[A' },
  { label: '↓', name: 'Down arrow: next line', data: '\x1b[B' },
];

/**
 * Wires the key bar's buttons (rendered from TERMINAL_KEYS, `data-key` holding the index). A press
 * with a pointer never takes focus from the terminal, so the phone's keyboard stays up; after any
 * press, the terminal has focus for the next key.
 */
export function mountKeyBar(bar: HTMLElement, send: (data: string) => void, focusTerminal: () => void): void {
  for (const button of bar.querySelectorAll<HTMLButtonElement>('button[data-key]')) {
    const key = TERMINAL_KEYS[Number(button.dataset.key)];
    if (key === undefined) continue;
    button.addEventListener('pointerdown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      send(key.data);
      focusTerminal();
    });
  }
}
