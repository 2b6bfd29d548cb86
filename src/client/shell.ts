import type { SocketEvent } from '../protocol/events.ts';
import { LineEditor, parseKeys } from './line-editor.ts';
import { describeClosure } from './close-cause.ts';
import type { ConnectionStatus, SandboxConnection } from './sandbox-connection.ts';
import { HELP_LINES, parseCommand, type Command } from './shell-commands.ts';
import { socketTable } from './socket-table.ts';
import { table } from './text-table.ts';
import { wrapWords } from './word-wrap.ts';

/** What the shell needs of a terminal; only client/xterm-terminal.ts knows xterm itself. */
export type TerminalLike = {
  write: (text: string) => void;
  columns: () => number;
  clear: () => void;
};

export type SandboxPort = Pick<SandboxConnection, 'request' | 'open' | 'status'>;

type ConnectionState = 'connecting' | 'open' | 'fin-sent' | 'fin-received' | 'closed';

type TerminalConnection = {
  /** Unique on the page: numbers go on across sandboxes. */
  n: number;
  /** The page's number for the sandbox it lives in (ConnectionStatus `sandbox`). */
  sandbox: number;
  /** The server's id, unique only within its sandbox. */
  socket: string;
  target: string;
  local: string;
  remote: string;
  finSent: boolean;
  finReceived: boolean;
  closed: boolean;
};

const ANSI = {
  reset: '\x1b[0m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
};

const paint = (color: keyof typeof ANSI, text: string) => `${ANSI[color]}${text}${ANSI.reset}`;

/** Received bytes are shown, never obeyed: control characters become visible escapes. */
export function printable(data: string): string {
  return data
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (char) =>
      char === '\r' ? '' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .replace(/\n/g, '\r\n');
}

function stateOf(connection: TerminalConnection): ConnectionState {
  if (connection.closed) return 'closed';
  if (connection.finSent) return 'fin-sent';
  if (connection.finReceived) return 'fin-received';
  return 'open';
}

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'connecting',
  open: 'open',
  'fin-sent': 'half-closed (you sent FIN)',
  'fin-received': 'half-closed (peer sent FIN)',
  closed: 'closed',
};

/**
 * The terminal's shell: it runs in the browser, edits lines, and turns commands into structured
 * sandbox requests — never shell text. Attached to a connection, each line typed is sent.
 */
export class Shell {
  readonly #terminal: TerminalLike;
  readonly #sandbox: SandboxPort;
  readonly #editor = new LineEditor();
  readonly #connections: TerminalConnection[] = [];
  #attached: TerminalConnection | undefined;
  #chain: Promise<void> = Promise.resolve();
  #busy = 0;
  /** Row of the cursor within the prompt + input area, for redrawing a wrapped line. */
  #cursorRow = 0;
  #promptShown = false;
  /** Whether the loss of the current sandbox has been told already: failed retries are not repeated. */
  #lossTold = false;

  constructor(terminal: TerminalLike, sandbox: SandboxPort) {
    this.#terminal = terminal;
    this.#sandbox = sandbox;
  }

  get connections(): readonly TerminalConnection[] {
    return this.#connections;
  }

  start(): void {
    this.#line(`${paint('bold', 'Socket Playground sandbox')} — a real TCP lab on this machine's loopback.`);
    this.#line(`Type ${paint('cyan', 'nc echo')} to connect to your echo server, or ${paint('cyan', 'help')} for every command.`);
    this.#showPrompt();
  }

  /** Keys and pastes from the terminal. */
  input(data: string): void {
    for (const key of parseKeys(data)) {
      const result = this.#editor.apply(key);
      switch (result.kind) {
        case 'changed':
          if (this.#promptShown) this.#redraw();
          break;
        case 'unchanged':
          break;
        case 'submit':
          this.#submit(result.line);
          break;
        case 'signal':
          this.#signal(result.signal);
          break;
      }
    }
  }

  status(status: ConnectionStatus): void {
    if (status.state === 'open') {
      this.#lossTold = false;
      const servers = status.servers.map((server) => `${server.name} at ${server.address}`).join(', ');
      this.#printAbove(paint('dim', `[sandbox ready: ${servers}]`));
    } else if (status.state === 'closed') {
      for (const connection of this.#connections) connection.closed = true;
      this.#attached = undefined;
      if (this.#lossTold) return;
      this.#lossTold = true;
      this.#printAbove(paint('red', `[${describeClosure(status)} The lab tries again by itself; "reconnect" tries now.]`));
    }
  }

  /** The bytes a terminal socket read: printed when it is the attached connection. */
  received(socket: string, data: string): void {
    const connection = this.#bySocket(socket);
    if (connection === undefined) return;
    if (connection === this.#attached) this.#printAbove(printable(data), false);
    else
      this.#printAbove(
        paint('dim', `[#${connection.n} received ${data.length} characters; "use ${connection.n}" to see them as they come]`),
      );
  }

  /** Socket events, for what they change about this terminal's connections. */
  events(events: readonly SocketEvent[]): void {
    for (const event of events) {
      const connection = this.#bySocket(event.socket);
      if (connection === undefined) continue;
      const tag = `#${connection.n}`;
      if (event.kind === 'fin') {
        connection.finReceived = true;
        this.#printAbove(paint('yellow', `[${tag} the server sent FIN: recv() returned b'' — it has nothing more to send]`));
      } else if (event.kind === 'error') {
        this.#printAbove(paint('red', `[${tag} ${event.error?.code ?? 'error'}: ${event.error?.message ?? ''}]`));
      } else if (event.kind === 'close' && !connection.closed) {
        connection.closed = true;
        this.#printAbove(paint('yellow', `[${tag} closed]`));
        if (this.#attached === connection) {
          this.#attached = undefined;
          this.#redraw();
        }
      }
    }
  }

  /** Events and reads come from the current sandbox only, where an old sandbox's ids start again. */
  #bySocket(socket: string): TerminalConnection | undefined {
    const status = this.#sandbox.status;
    if (status.state !== 'open') return undefined;
    return this.#connections.find((connection) => connection.sandbox === status.sandbox && connection.socket === socket);
  }

  #prompt(): { text: string; width: number } {
    if (this.#attached !== undefined) {
      const plain = `[#${this.#attached.n} ${this.#attached.target}]> `;
      return { text: paint('cyan', plain), width: plain.length };
    }
    return { text: `${paint('green', 'sandbox')}$ `, width: 'sandbox$ '.length };
  }

  #submit(line: string): void {
    this.#terminal.write('\r\n');
    this.#promptShown = false;
    this.#cursorRow = 0;
    this.#busy += 1;
    this.#chain = this.#chain
      .then(() => (this.#attached !== undefined ? this.#sendLine(this.#attached, `${line}\n`) : this.#run(parseCommand(line, this.#servers()))))
      .catch((error: unknown) => this.#error(`internal error: ${String(error)}`))
      .finally(() => {
        this.#busy -= 1;
        if (this.#busy === 0) this.#showPrompt();
      });
  }

  #signal(signal: 'interrupt' | 'eof' | 'clear-screen' | 'detach'): void {
    const attached = this.#attached;
    switch (signal) {
      case 'clear-screen':
        this.#terminal.clear();
        this.#showPrompt();
        return;
      case 'interrupt':
        this.#terminal.write(paint('dim', '^C'));
        this.#editor.discard();
        if (attached !== undefined) {
          this.#terminal.write('\r\n');
          this.#promptShown = false;
          this.#attached = undefined;
          this.#enqueue(() => this.#close(attached));
        } else {
          this.#terminal.write('\r\n');
          this.#showPrompt();
        }
        return;
      case 'detach':
        if (attached === undefined) return;
        this.#attached = undefined;
        this.#editor.discard();
        this.#terminal.write('\r\n');
        this.#info(`left #${attached.n} open; "use ${attached.n}" returns to it`);
        this.#showPrompt();
        return;
      case 'eof': {
        if (attached === undefined) {
          this.#printAbove(paint('dim', 'Ctrl-D sends FIN on a connection; none is attached ("nc echo" opens one)'));
          return;
        }
        const pending = this.#editor.line;
        this.#editor.discard();
        this.#terminal.write('\r\n');
        this.#promptShown = false;
        this.#enqueue(async () => {
          // As on a real tty: Ctrl-D after some text sends that text without a newline.
          if (pending !== '') return this.#sendLine(attached, pending);
          return this.#shutdown(attached);
        });
        return;
      }
    }
  }

  #servers() {
    const status = this.#sandbox.status;
    return status.state === 'open' ? status.servers : [];
  }

  #enqueue(task: () => Promise<void>): void {
    this.#busy += 1;
    this.#chain = this.#chain
      .then(task)
      .catch((error: unknown) => this.#error(`internal error: ${String(error)}`))
      .finally(() => {
        this.#busy -= 1;
        if (this.#busy === 0) this.#showPrompt();
      });
  }

  async #run(command: Command): Promise<void> {
    switch (command.kind) {
      case 'empty':
        return;
      case 'help':
        for (const [name, text] of HELP_LINES) this.#line(`  ${paint('cyan', name.padEnd(10))} ${text}`);
        return;
      case 'clear':
        this.#terminal.clear();
        return;
      case 'error':
        return this.#error(command.message);
      case 'reconnect':
        if (this.#sandbox.status.state === 'open') return this.#info('the sandbox is already connected');
        if (this.#sandbox.status.state === 'connecting') return this.#info('already connecting to the sandbox…');
        this.#sandbox.open();
        return this.#info('opening a new sandbox…');
      case 'servers': {
        const status = this.#sandbox.status;
        if (status.state !== 'open') return this.#error('not connected to the sandbox yet');
        for (const line of table(status.servers.map((server) => [server.name, server.address, server.state]))) this.#line(line);
        return;
      }
      case 'conns':
        return this.#listConnections();
      case 'use': {
        const connection = this.#connections.find((candidate) => candidate.n === command.n);
        if (connection === undefined) return this.#error(`no connection #${command.n}; "conns" lists them`);
        if (connection.closed) return this.#error(`#${command.n} is closed; "nc echo" opens a new one`);
        this.#attached = connection;
        return this.#info(`attached to #${connection.n}: ${connection.local} → ${connection.remote}`);
      }
      case 'nc':
        return this.#connect(command.target);
      case 'ss':
        return this.#listSockets();
    }
  }

  async #connect(target: string): Promise<void> {
    const status = this.#sandbox.status;
    if (status.state !== 'open') return this.#error('not connected to the sandbox; type "reconnect"');
    const address = status.servers.find((server) => server.name === target)?.address;
    this.#info(`connecting to ${target}${address === undefined ? '' : ` (${address})`}…`);
    const reply = await this.#sandbox.request({ type: 'connect', target }, status.sandbox);
    if (reply.type !== 'opened') return this.#error(reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}`);
    const connection: TerminalConnection = {
      n: this.#connections.length + 1,
      sandbox: status.sandbox,
      socket: reply.socket,
      target,
      local: reply.local,
      remote: reply.remote,
      finSent: false,
      finReceived: false,
      closed: false,
    };
    this.#connections.push(connection);
    this.#attached = connection;
    this.#line(paint('green', `connected #${connection.n} (${connection.socket}): ${connection.local} → ${connection.remote}`));
    this.#line(
      paint('dim', 'type a line and press Enter to send it · Ctrl-D: send FIN · Ctrl-C: close · Ctrl-]: back to the prompt'),
    );
  }

  async #sendLine(connection: TerminalConnection, data: string): Promise<void> {
    if (connection.closed) return this.#error(`#${connection.n} is closed`);
    if (connection.finSent)
      return this.#error(`#${connection.n}: you already sent FIN, so this side cannot send; Ctrl-C closes it`);
    const reply = await this.#sandbox.request({ type: 'send', socket: connection.socket, data }, connection.sandbox);
    if (reply.type === 'error') this.#error(reply.message);
  }

  async #shutdown(connection: TerminalConnection): Promise<void> {
    if (connection.finSent || connection.closed) return this.#error(`#${connection.n} has already sent its FIN`);
    connection.finSent = true;
    this.#info(`#${connection.n}: shutdown(SHUT_WR) — FIN sent; still reading`);
    const reply = await this.#sandbox.request({ type: 'shutdown', socket: connection.socket }, connection.sandbox);
    if (reply.type === 'error') this.#error(reply.message);
  }

  async #close(connection: TerminalConnection): Promise<void> {
    if (connection.closed) return;
    const reply = await this.#sandbox.request({ type: 'close', socket: connection.socket }, connection.sandbox);
    if (reply.type === 'error') this.#error(reply.message);
    else this.#info(`#${connection.n}: close()`);
  }

  #listConnections(): void {
    if (this.#connections.length === 0) return this.#info('no connections yet; "nc echo" opens one');
    const rows = this.#connections.map((connection) => [
      `#${connection.n}`,
      connection.socket,
      `${connection.local} → ${connection.remote}`,
      STATE_TEXT[stateOf(connection)],
      connection === this.#attached ? '(attached)' : '',
    ]);
    for (const line of table(rows)) this.#line(line);
  }

  async #listSockets(): Promise<void> {
    const reply = await this.#sandbox.request({ type: 'sockets' });
    if (reply.type !== 'sockets') return this.#error(reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}`);
    const shown = socketTable(reply.sockets, this.#terminal.columns());
    this.#line(paint('bold', shown.header));
    for (const row of shown.rows) this.#line(row);
    if (shown.note !== undefined) this.#info(shown.note);
    if (reply.more !== undefined) this.#info(`… and ${reply.more} more (the table is cut at ${reply.sockets.length} rows)`);
    if (reply.sockets.some((info) => info.socket === '-')) {
      this.#line(paint('dim', 'ID "-": closed by its program, still held by the kernel (TIME-WAIT lasts 60 s on Linux)'));
    }
  }

  /** Everything the shell says goes through here (or #printAbove), wrapped at spaces to fit. */
  #line(text: string): void {
    this.#terminal.write(`${wrapWords(text, this.#terminal.columns())}\r\n`);
  }

  #info(text: string): void {
    this.#line(paint('dim', text));
  }

  #error(text: string): void {
    this.#line(paint('red', text));
  }

  #showPrompt(): void {
    if (this.#busy > 0) return;
    this.#promptShown = true;
    this.#cursorRow = 0;
    this.#draw();
  }

  /**
   * Prints above the prompt without disturbing what is being typed, wrapped at spaces: it always
   * starts at the left edge, so the shell knows where each row breaks. Received bytes (`newline`
   * false) get a line break only if they lack one.
   */
  #printAbove(text: string, newline = true): void {
    if (this.#promptShown) this.#erase();
    this.#terminal.write(wrapWords(text, this.#terminal.columns()));
    if (newline || !text.endsWith('\n')) this.#terminal.write('\r\n');
    if (this.#promptShown) this.#draw();
  }

  #erase(): void {
    if (this.#cursorRow > 0) this.#terminal.write(`\x1b[${this.#cursorRow}A`);
    this.#terminal.write('\r\x1b[J');
    this.#cursorRow = 0;
  }

  #redraw(): void {
    if (!this.#promptShown) return this.#showPrompt();
    this.#erase();
    this.#draw();
  }

  /** Writes prompt and line from the start of the input area, then puts the cursor in place. */
  #draw(): void {
    const columns = Math.max(1, this.#terminal.columns());
    const prompt = this.#prompt();
    const chars = this.#editor.chars;
    this.#terminal.write(prompt.text + chars.join(''));
    const end = prompt.width + chars.length;
    // At an exact multiple of the width the cursor waits past the edge; step onto the next row.
    if (end > 0 && end % columns === 0) this.#terminal.write(' \r\x1b[K');
    const endRow = Math.floor(end / columns);
    const target = prompt.width + this.#editor.cursor;
    const targetRow = Math.floor(target / columns);
    if (endRow > targetRow) this.#terminal.write(`\x1b[${endRow - targetRow}A`);
    this.#terminal.write('\r');
    if (target % columns > 0) this.#terminal.write(`\x1b[${target % columns}C`);
    this.#cursorRow = targetRow;
  }
}
