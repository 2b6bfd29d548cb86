import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { TerminalLike } from './shell.ts';

/** The only file that knows xterm: a terminal in `host`, sized to it, themed from the page's CSS. */
export type XtermHandle = TerminalLike & {
  onData: (listener: (data: string) => void) => void;
  focus: () => void;
  dispose: () => void;
};

function themeFrom(element: HTMLElement): ITheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: read('--term-bg', '#0f1419'),
    foreground: read('--term-fg', '#e6e1cf'),
    cursor: read('--term-cursor', '#f29718'),
    selectionBackground: read('--term-selection', '#33415e'),
    green: read('--term-green', '#7fd962'),
    cyan: read('--term-cyan', '#73d0ff'),
    red: read('--term-red', '#f26d78'),
    yellow: read('--term-yellow', '#ffd173'),
    brightBlack: read('--term-dim', '#8a9199'),
  };
}

export function createXterm(host: HTMLElement, label: string): XtermHandle {
  const terminal = new Terminal({
    screenReaderMode: true,
    cursorBlink: true,
    convertEol: false,
    fontFamily: 'ui-monospace, "JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 13,
    lineHeight: 1.15,
    scrollback: 2000,
    theme: themeFrom(host),
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(host);
  terminal.textarea?.setAttribute('aria-label', label);
  // Tab leaves the terminal, as it does any other field: keyboard users must never be trapped.
  terminal.attachCustomKeyEventHandler((event) => event.key !== 'Tab');
  fit.fit();
  const resize = new ResizeObserver(() => fit.fit());
  resize.observe(host);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const retheme = () => {
    terminal.options.theme = themeFrom(host);
  };
  scheme.addEventListener('change', retheme);
  // The header's theme switch sets <html data-theme>.
  const picked = new MutationObserver(retheme);
  picked.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return {
    write: (text) => terminal.write(text),
    columns: () => terminal.cols,
    clear: () => terminal.clear(),
    onData: (listener) => {
      terminal.onData(listener);
    },
    focus: () => terminal.focus(),
    dispose: () => {
      resize.disconnect();
      scheme.removeEventListener('change', retheme);
      picked.disconnect();
      terminal.dispose();
    },
  };
}
