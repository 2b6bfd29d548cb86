import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../src/client/sandbox-connection.ts';
import { printable, Shell, type SandboxPort, type TerminalLike } from '../../../src/client/shell.ts';
import type { SocketEvent } from '../../../src/protocol/events.ts';

/** A terminal that keeps what was written, with colours and cursor moves removed. */
class FakeTerminal implements TerminalLike {
  output = '';
  write(text: string): void {
    this.output += text;
  }
  columns(): number {
    return 80;
  }
  clear(): void {
    this.output = '';
  }
  get plain(): string {
    return this.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  }
}

const ECHO = '127.0.0.1:40000';

/** A sandbox that answers like the server does and records each request. */
class FakeSandbox implements SandboxPort {
  status: ConnectionStatus = { state: 'open', session: 'x', servers: [{ name: 'echo', address: ECHO, state: 'listening' }] };
  requests: Record<string, unknown>[] = [];
  opened = 0;
  #socket = 2;
  open(): void {
    this.opened += 1;
  }
  request: SandboxPort['request'] = async (message) => {
    this.requests.push(message);
    switch (message.type) {
      case 'connect':
        return { type: 'opened', id: 0, socket: `s${this.#socket++}`, local: `127.0.0.1:5000${this.#socket}`, remote: ECHO };
      case 'sockets':
        return {
          type: 'sockets',
          id: 0,
          sockets: [{ socket: 's1', role: 'listener', origin: 'sandbox', server: 'echo', local: ECHO, state: 'LISTEN', bytesIn: 0, bytesOut: 0 }],
        };
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

  it('says the sandbox closed and offers reconnect', async () => {
    const { terminal, sandbox, shell, type } = await setup();
    sandbox.status = { state: 'closed', code: 1001, reason: 'server shutting down' };
    shell.status(sandbox.status);
    expect(terminal.plain).toContain('sandbox the server is shutting down: server shutting down (1001); type "reconnect"');
    await type('reconnect\r');
    expect(sandbox.opened).toBe(1);
  });
});
