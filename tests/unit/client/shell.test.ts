import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../src/client/sandbox-connection.ts';
import { printable, Shell, type SandboxPort, type TerminalLike } from '../../../src/client/shell.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';
import type { SocketInfo } from '../../../src/protocol/messages.ts';

/** A terminal that keeps what was written, with colours and cursor moves removed. */
class FakeTerminal implements TerminalLike {
  output = '';
  cols = 80;
  write(text: string): void {
    this.output += text;
  }
  columns(): number {
    return this.cols;
  }
  clear(): void {
    this.output = '';
  }
  get plain(): string {
    return this.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  }
}

const ECHO = '127.0.0.1:40000';

const SOCKETS = [
  { socket: 's1', role: 'listener', origin: 'sandbox', server: 'echo', local: ECHO, state: 'LISTEN', bytesIn: 0, bytesOut: 0 },
  { socket: 's2', role: 'client', origin: 'terminal', local: '127.0.0.1:50002', remote: ECHO, state: 'FIN-WAIT-2', bytesIn: 15, bytesOut: 15 },
  { socket: 's3', role: 'server', origin: 'sandbox', server: 'echo', peer: 's2', local: ECHO, remote: '127.0.0.1:50002', state: 'CLOSE-WAIT', bytesIn: 15, bytesOut: 15 },
  { socket: 's4', role: 'server', origin: 'sandbox', server: 'echo', peer: 'outside', local: ECHO, remote: '127.0.0.1:50123', state: 'ESTAB', bytesIn: 1234, bytesOut: 1234 },
  { socket: '-', role: 'client', origin: 'terminal', local: '127.0.0.1:50000', remote: ECHO, state: 'TIME-WAIT', bytesIn: 0, bytesOut: 0 },
] satisfies SocketInfo[];

/**
 * A sandbox that answers like the server does and records each request with the sandbox it was
 * meant for. Like the server, each new sandbox numbers its sockets from the start again.
 */
class FakeSandbox implements SandboxPort {
  status: ConnectionStatus = { state: 'open', sandbox: 1, session: 'x', servers: [{ name: 'echo', address: ECHO, state: 'listening' }] };
  requests: Record<string, unknown>[] = [];
  /** Requests as (sandbox it was sent for, message): what each sandbox's server would receive. */
  sent: { sandbox: number | undefined; message: Record<string, unknown> }[] = [];
  opened = 0;
  #socket = 2;
  sockets: SocketInfo[] = SOCKETS.slice(0, 1);
  open(): void {
    this.opened += 1;
  }
  /** The server went away with the sandbox. */
  lose(): void {
    this.status = { state: 'closed', code: 1001, reason: 'server shutting down', reached: true };
  }
  /** A new sandbox: its echo server on another port, its sockets numbered from the start again. */
  reopen(echo: string): void {
    this.#socket = 2;
    this.status = { state: 'open', sandbox: 2, session: 'y', servers: [{ name: 'echo', address: echo, state: 'listening' }] };
  }
  request: SandboxPort['request'] = async (message, sandbox) => {
    this.requests.push(message);
    this.sent.push({ sandbox, message });
    switch (message.type) {
      case 'connect':
        return { type: 'opened', id: 0, socket: `s${this.#socket++}`, local: `127.0.0.1:5000${this.#socket}`, remote: ECHO };
      case 'sockets':
        return { type: 'sockets', id: 0, sockets: this.sockets };
      default:
        return { type: 'ok', id: 0 };
    }
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function setup() {
  const terminal = new FakeTerminal();
  const sandbox = new FakeSandbox();
  const shell = new Shell(terminal, sandbox);
  shell.start();
  const type = async (data: string) => {
    shell.input(data);
    await settle();
    await settle();
  };
  return { terminal, sandbox, shell, type };
}

const event = (kind: SocketEvent['kind'], socket: string): SocketEvent => ({ seq: 0, t: 0, kind, socket, role: 'client', origin: 'terminal' });

describe('Shell', () => {
  it('lists servers with their real address', async () => {
    const { terminal, type } = await setup();
    await type('servers\r');
    expect(terminal.plain).toMatch(/echo\s+127\.0\.0\.1:40000\s+listening/);
  });

  it('refuses a foreign target without asking the sandbox for anything', async () => {
    const { terminal, sandbox, type } = await setup();
    await type('nc 10.0.0.1 22\r');
    expect(terminal.plain).toContain('refused "10.0.0.1 22"');
    expect(sandbox.requests).toEqual([]);
  });

  it('connects, sends each typed line with a newline, and shows the connection in the prompt', async () => {
    const { terminal, sandbox, type } = await setup();
    await type('nc echo\r');
    expect(sandbox.requests).toEqual([{ type: 'connect', target: 'echo' }]);
    expect(terminal.plain).toContain('connected #1 (s2)');
    expect(terminal.plain).toContain('[#1 echo]> ');
    await type('hello\r');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'send', socket: 's2', data: 'hello\n' });
  });

  it('prints what the attached connection receives, as text and never as control codes', async () => {
    const { terminal, shell, type } = await setup();
    await type('nc echo\r');
    shell.received('s2', 'hi\x1b[2J\n');
    expect(terminal.output).toContain('hi\\x1b[2J\r\n');
    expect(printable('a\x07b\r\n')).toBe('a\\x07b\r\n');
  });

  it('Ctrl-D sends FIN (shutdown); a later line is refused; the close returns to the prompt', async () => {
    const { terminal, sandbox, shell, type } = await setup();
    await type('nc echo\r');
    await type('\x04');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'shutdown', socket: 's2' });
    await type('more\r');
    expect(terminal.plain).toContain('you already sent FIN');
    shell.events([event('fin', 's2'), event('close', 's2')]);
    expect(terminal.plain).toContain("the server sent FIN: recv() returned b''");
    expect(terminal.plain).toContain('[#1 closed]');
    expect(terminal.plain.trimEnd().endsWith('sandbox$')).toBe(true);
  });

  it('Ctrl-D after some text sends that text without a newline, as a tty does', async () => {
    const { sandbox, type } = await setup();
    await type('nc echo\r');
    await type('abc\x04');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'send', socket: 's2', data: 'abc' });
  });

  it('Ctrl-C closes the attached connection; Ctrl-] leaves it open; use N goes back', async () => {
    const { terminal, sandbox, type } = await setup();
    await type('nc echo\r');
    await type('\x1d');
    expect(terminal.plain).toContain('left #1 open');
    await type('nc echo\r');
    await type('conns\r');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'send', socket: 's3', data: 'conns\n' });
    await type('\x1d');
    await type('conns\r');
    expect(terminal.plain).toMatch(/#1 {2}s2 .* open\n/);
    expect(terminal.plain).toMatch(/#2 {2}s3 .* open\n/);
    await type('use 1\r');
    expect(terminal.plain).toContain('attached to #1');
    await type('\x03');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'close', socket: 's2' });
    await type('use 9\r');
    expect(terminal.plain).toContain('no connection #9');
  });

  it('prints ss as a table', async () => {
    const { terminal, type } = await setup();
    await type('ss\r');
    expect(terminal.plain).toMatch(/ID\s+ROLE\s+STATE\s+LOCAL\s+PEER\s+IN\/OUT/);
    expect(terminal.plain).toMatch(/s1\s+echo listen\s+LISTEN\s+127\.0\.0\.1:40000\s+\*\s+0\/0/);
  });

  it('recalls history with the up arrow', async () => {
    const { terminal, type } = await setup();
    await type('servers\r');
    terminal.clear();
    await type('\x1b[A');
    expect(terminal.plain).toContain('sandbox$ servers');
  });

  it('says in words why the sandbox closed, once however many retries fail, and reconnect tries now', async () => {
    const { terminal, sandbox, shell, type } = await setup();
    sandbox.status = { state: 'closed', code: 1001, reason: 'server shutting down', reached: true };
    shell.status(sandbox.status);
    expect(terminal.plain.replace(/\s+/g, ' ')).toContain(
      '[The server stopped or restarted, and your sandbox closed with it. The lab tries again by itself; "reconnect" tries now.]',
    );
    expect(terminal.plain).not.toMatch(/1001|shutting down/);
    sandbox.status = { state: 'closed', code: 1006, reason: '', reached: false };
    shell.status(sandbox.status);
    expect(terminal.plain).not.toContain('cannot be reached');
    await type('reconnect\r');
    expect(sandbox.opened).toBe(1);
    sandbox.status = { state: 'connecting' };
    await type('reconnect\r');
    expect(terminal.plain).toContain('already connecting');
    expect(sandbox.opened).toBe(1);
  });

  it('after a reconnect, everything goes to the new sandbox, never to a connection of the old one', async () => {
    const { terminal, sandbox, shell, type } = await setup();
    await type('nc echo\r');
    await type('old line\r');
    expect(sandbox.sent.at(-1)).toEqual({ sandbox: 1, message: { type: 'send', socket: 's2', data: 'old line\n' } });
    sandbox.lose();
    shell.status(sandbox.status);
    const before = sandbox.sent.length;
    // Typed while no sandbox is open: a command, not data for the dead connection.
    await type('conns\r');
    expect(terminal.plain).toMatch(/#1 {2}s2 .* closed\n/);
    await type('use 1\r');
    expect(terminal.plain).toContain('#1 is closed');
    expect(sandbox.sent.length).toBe(before);

    sandbox.reopen('127.0.0.1:40999');
    shell.status(sandbox.status);
    await type('nc echo\r');
    // The new sandbox's first socket is s2 again; the page tells them apart by sandbox.
    expect(terminal.plain).toContain('connected #2 (s2)');
    await type('new line\r');
    expect(sandbox.sent.slice(before)).toEqual([
      { sandbox: 2, message: { type: 'connect', target: 'echo' } },
      { sandbox: 2, message: { type: 'send', socket: 's2', data: 'new line\n' } },
    ]);
    // What the new s2 reads is printed as the attached connection's echo, not as news of old #1.
    shell.received('s2', 'new line\n');
    expect(terminal.plain).toContain('new line\n');
    expect(terminal.plain).not.toContain('#1 received');
    shell.events([event('close', 's2')]);
    expect(terminal.plain).toContain('[#2 closed]');
    expect(terminal.plain).not.toContain('[#1 closed]');
    expect(sandbox.sent.slice(before).every(({ sandbox: meant }) => meant === 2)).toBe(true);
  });

  it('accepts the lab\'s own copied nc line as nc echo, and refuses any other host:port unsent', async () => {
    const { terminal, sandbox, type } = await setup();
    await type('nc 127.0.0.1 40001\r');
    await type('nc localhost 22\r');
    expect(terminal.plain).toContain('refused "127.0.0.1 40001"');
    expect(terminal.plain).toContain('refused "localhost 22"');
    expect(sandbox.requests).toEqual([]);
    await type('nc 127.0.0.1 40000\r');
    expect(sandbox.requests).toEqual([{ type: 'connect', target: 'echo' }]);
    expect(terminal.plain).toContain('connecting to echo (127.0.0.1:40000)');
    await type('\x1d');
    await type('nc localhost 40000\r');
    expect(sandbox.requests.at(-1)).toEqual({ type: 'connect', target: 'echo' });
  });

  it('wraps its own words, and what it received, at spaces to the terminal\'s width', async () => {
    const { terminal, shell, type } = await setup();
    terminal.cols = 30;
    terminal.clear();
    await type('nc example.com 80\r');
    const rows = terminal.plain.split('\n');
    expect(Math.max(...rows.map((row) => row.length))).toBeLessThanOrEqual(30);
    // No word is cut: every row ends and starts at a word boundary of the original sentence.
    expect(rows.join(' ').replace(/\s+/g, ' ')).toContain('the sandbox connects only to its own servers: try "nc echo" ("servers" lists them)');
    // What the attached connection reads starts at the left edge too, so it wraps the same way.
    await type('nc echo\r');
    terminal.clear();
    shell.received('s2', 'a line of echoed words, long enough to wrap twice over\n');
    expect(terminal.plain.split('\n').slice(0, 3)).toEqual(['a line of echoed words, long', 'enough to wrap twice over', '[#1 echo]> ']);
  });

  it('keeps ss to one row per socket on a narrow terminal', async () => {
    const { terminal, sandbox, type } = await setup();
    sandbox.sockets = [...SOCKETS];
    for (const cols of [80, 48, 40, 30]) {
      terminal.cols = cols;
      terminal.clear();
      await type('ss\r');
      const rows = terminal.plain.split('\n').filter((row) => /^(s\d|-) /.test(row));
      expect(rows).toHaveLength(SOCKETS.length);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(cols);
    }
  });
});
