/** A key or a run of typed text, decoded from what the terminal sends. */
export type Key = { kind: 'text'; text: string } | { kind: NamedKey };

type NamedKey =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'up'
  | 'down'
  | 'interrupt'
  | 'eof'
  | 'clear-screen'
  | 'kill-line'
  | 'detach'
  | 'ignored';

const ESCAPES: Record<string, NamedKey> = {
  '\x1b[A': 'up',
  '\x1b[B': 'down',
  '\x1b[C': 'right',
  '\x1b[D': 'left',
  '\x1b[H': 'home',
  '\x1b[F': 'end',
  '\x1bOH': 'home',
  '\x1bOF': 'end',
  '\x1b[1~': 'home',
  '\x1b[4~': 'end',
  '\x1b[3~': 'delete',
};

const CONTROLS: Record<string, NamedKey> = {
  '\r': 'enter',
  '\n': 'enter',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x03': 'interrupt',
  '\x04': 'eof',
  '\x0c': 'clear-screen',
  '\x15': 'kill-line',
  '\x1d': 'detach',
  '\x01': 'home',
  '\x05': 'end',
  '\x02': 'left',
  '\x06': 'right',
  '\x10': 'up',
  '\x0e': 'down',
};

/** Splits terminal input (a key press or a paste) into keys; "\r\n" in a paste is one Enter. */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') keys.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < data.length;) {
    const rest = data.slice(i);
    if (rest.startsWith('\x1b')) {
      flush();
      const escape = Object.keys(ESCAPES).find((sequence) => rest.startsWith(sequence));
      if (escape !== undefined) {
        keys.push({ kind: ESCAPES[escape] ?? 'ignored' });
        i += escape.length;
      } else {
        // An escape sequence we do not use (F-keys, Alt-…): skip it whole, never insert it.
        const match = /^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/.exec(rest);
        keys.push({ kind: 'ignored' });
        i += match?.[0].length ?? 1;
      }
      continue;
    }
    const char = data[i] ?? '';
    if (char === '\r' && data[i + 1] === '\n') i += 1;
    const control = CONTROLS[char];
    if (control !== undefined) {
      flush();
      keys.push({ kind: control });
    } else if (char === '\t') {
      text += ' ';
    } else if (char >= ' ') {
      text += char;
    } else {
      flush();
      keys.push({ kind: 'ignored' });
    }
    i += 1;
  }
  flush();
  return keys;
}

export type EditResult =
  | { kind: 'changed' }
  | { kind: 'unchanged' }
  | { kind: 'submit'; line: string }
  | { kind: 'signal'; signal: 'interrupt' | 'eof' | 'clear-screen' | 'detach' };

/** Longest line the editor holds; typing beyond it is refused with a bell. */
export const MAX_LINE_CHARS = 4000;

/**
 * A line being typed: text, cursor and the history of submitted lines (up/down). Pure state; the
 * shell draws it.
 */
export class LineEditor {
  chars: string[] = [];
  cursor = 0;
  readonly history: string[] = [];
  #historyIndex = 0;
  #draft: string[] = [];

  get line(): string {
    return this.chars.join('');
  }

  set(line: string): void {
    this.chars = Array.from(line);
    this.cursor = this.chars.length;
  }

  apply(key: Key): EditResult {
    switch (key.kind) {
      case 'text': {
        const added = Array.from(key.text);
        if (this.chars.length + added.length > MAX_LINE_CHARS) return { kind: 'unchanged' };
        this.chars.splice(this.cursor, 0, ...added);
        this.cursor += added.length;
        return { kind: 'changed' };
      }
      case 'enter': {
        const line = this.line;
        if (line.trim() !== '' && this.history.at(-1) !== line) this.history.push(line);
        this.#historyIndex = this.history.length;
        this.chars = [];
        this.cursor = 0;
        return { kind: 'submit', line };
      }
      case 'backspace':
        if (this.cursor === 0) return { kind: 'unchanged' };
        this.chars.splice(this.cursor - 1, 1);
        this.cursor -= 1;
        return { kind: 'changed' };
      case 'delete':
        if (this.cursor >= this.chars.length) return { kind: 'unchanged' };
        this.chars.splice(this.cursor, 1);
        return { kind: 'changed' };
      case 'left':
        return this.#moveTo(this.cursor - 1);
      case 'right':
        return this.#moveTo(this.cursor + 1);
      case 'home':
        return this.#moveTo(0);
      case 'end':
        return this.#moveTo(this.chars.length);
      case 'kill-line':
        this.chars.splice(0, this.cursor);
        this.cursor = 0;
        return { kind: 'changed' };
      case 'up':
        return this.#recall(this.#historyIndex - 1);
      case 'down':
        return this.#recall(this.#historyIndex + 1);
      case 'interrupt':
      case 'eof':
      case 'clear-screen':
      case 'detach':
        return { kind: 'signal', signal: key.kind };
      case 'ignored':
        return { kind: 'unchanged' };
    }
  }

  /** Forgets the line being typed (after Ctrl-C) without touching history. */
  discard(): void {
    this.chars = [];
    this.cursor = 0;
    this.#historyIndex = this.history.length;
  }

  #moveTo(position: number): EditResult {
    const next = Math.max(0, Math.min(this.chars.length, position));
    if (next === this.cursor) return { kind: 'unchanged' };
    this.cursor = next;
    return { kind: 'changed' };
  }

  #recall(index: number): EditResult {
    if (index < 0 || index > this.history.length) return { kind: 'unchanged' };
    if (this.#historyIndex === this.history.length) this.#draft = [...this.chars];
    this.#historyIndex = index;
    this.chars = index === this.history.length ? [...this.#draft] : Array.from(this.history[index] ?? '');
    this.cursor = this.chars.length;
    return { kind: 'changed' };
  }
}
