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

  describe('the lab\'s own nc line', () => {
    const servers = [{ name: 'echo', address: '127.0.0.1:40211', state: 'listening' as const }];

    it.each(['nc 127.0.0.1 40211', 'nc localhost 40211', 'ncat 127.0.0.1 40211', '  nc   127.0.0.1   40211 '])(
      'takes %s as nc echo',
      (line) => expect(parseCommand(line, servers)).toEqual({ kind: 'nc', target: 'echo' }),
    );

    it.each([
      'nc 127.0.0.1 40212',
      'nc 127.0.0.1 040211',
      'nc 127.0.0.2 40211',
      'nc 0.0.0.0 40211',
      'nc [::1] 40211',
      'nc ::1 40211',
      'nc 2130706433 40211',
      'nc 127.0.0.1:40211',
      'nc 127.0.0.1 40211 extra',
      'nc -v 127.0.0.1 40211',
      'nc example.com 40211',
    ])('refuses %s', (line) => {
      expect(parseCommand(line, servers)).toMatchObject({ kind: 'error', message: expect.stringContaining('refused') });
    });

    it('refuses the address when the session has no servers (not yet open, or closed)', () => {
      expect(parseCommand('nc 127.0.0.1 40211')).toMatchObject({ kind: 'error' });
    });
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
