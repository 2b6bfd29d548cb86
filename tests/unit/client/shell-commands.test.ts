import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/client/shell-commands.ts';

describe('parseCommand', () => {
  it('reads the commands', () => {
    expect(parseCommand('')).toEqual({ kind: 'empty' });
    expect(parseCommand('   ')).toEqual({ kind: 'empty' });
    expect(parseCommand('help')).toEqual({ kind: 'help' });
    expect(parseCommand('servers')).toEqual({ kind: 'servers' });
    expect(parseCommand('  nc   echo ')).toEqual({ kind: 'nc', target: 'echo' });
    expect(parseCommand('conns')).toEqual({ kind: 'conns' });
    expect(parseCommand('use 2')).toEqual({ kind: 'use', n: 2 });
    expect(parseCommand('ss')).toEqual({ kind: 'ss' });
    expect(parseCommand('clear')).toEqual({ kind: 'clear' });
    expect(parseCommand('reconnect')).toEqual({ kind: 'reconnect' });
  });

  it.each([
    'nc 10.0.0.1 22',
    'nc example.com 80',
    'nc 127.0.0.1 22',
    'nc [::1] 4321',
    'nc 2130706433 80',
    'nc localhost',
    'nc echo 7',
    'telnet 127.0.0.1 4321',
  ])('refuses %s and says what is allowed', (line) => {
    const command = parseCommand(line);
    expect(command.kind).toBe('error');
    expect(command.kind === 'error' && command.message).toMatch(
      /refused ".+": the sandbox connects only to its own servers: try "nc echo"/,
    );
  });

  it('explains usage mistakes', () => {
    expect(parseCommand('nc')).toEqual({ kind: 'error', message: 'usage: nc echo' });
    expect(parseCommand('use')).toMatchObject({ kind: 'error', message: expect.stringContaining('usage: use N') });
    expect(parseCommand('use 0')).toMatchObject({ kind: 'error' });
    expect(parseCommand('use two')).toMatchObject({ kind: 'error' });
    expect(parseCommand('servers now')).toEqual({ kind: 'error', message: 'servers takes no arguments' });
  });

  it('names an unknown command and points to help', () => {
    expect(parseCommand('rm -rf /')).toEqual({ kind: 'error', message: 'unknown command "rm"; type "help" for the list' });
    expect(parseCommand('curl http://example.com')).toMatchObject({
      message: expect.stringContaining('curl is not available here'),
    });
  });
});
