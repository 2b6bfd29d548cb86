import { TARGETS, type ServerInfo } from '../protocol/messages.ts';

export type Command =
  | { kind: 'empty' }
  | { kind: 'help' }
  | { kind: 'clear' }
  | { kind: 'servers' }
  | { kind: 'nc'; target: string }
  | { kind: 'conns' }
  | { kind: 'use'; n: number }
  | { kind: 'ss' }
  | { kind: 'reconnect' }
  | { kind: 'error'; message: string };

export const HELP_LINES: readonly (readonly [string, string])[] = [
  ['help', 'this list'],
  ['servers', "this session's sandbox servers and their real addresses"],
  ['nc echo', 'open a real TCP connection to the echo server; type lines to send them'],
  ['   Ctrl-D', 'while connected: shutdown(SHUT_WR), your FIN; the server answers with its own'],
  ['   Ctrl-C', 'while connected: close the connection'],
  ['   Ctrl-]', 'while connected: back to this prompt, leaving the connection open'],
  ['conns', "this terminal's connections"],
  ['use N', 'switch to connection N'],
  ['ss', 'every sandbox socket: role, addresses, kernel state, bytes in and out'],
  ['clear', 'clear the screen (Ctrl-L)'],
  ['reconnect', 'open a new sandbox now, after the old one closed (the lab also retries by itself)'],
];

const ALLOWED = `the sandbox connects only to its own servers: try "nc ${TARGETS[0]}" ("servers" lists them)`;

/** Names the learner may give the host their own sandbox listens on, as the lab's copied nc line does. */
const OWN_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

/**
 * The sandbox server a `HOST PORT` pair names, if it is one of the session's own (`servers`, from
 * the welcome): the only host:port the shell turns into a target, and then only by name.
 */
function ownServer(host: string, port: string, servers: readonly ServerInfo[]): string | undefined {
  if (!OWN_HOSTS.includes(host) || !/^[1-9]\d{0,4}$/.test(port)) return undefined;
  return servers.find((server) => server.address === `127.0.0.1:${port}`)?.name;
}

/**
 * What the terminal's shell makes of one typed line, knowing the session's own servers. Nothing
 * here opens a connection.
 */
export function parseCommand(line: string, servers: readonly ServerInfo[] = []): Command {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const [name, ...args] = words;
  if (name === undefined) return { kind: 'empty' };
  switch (name) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'clear':
      return { kind: 'clear' };
    case 'servers':
      return args.length === 0 ? { kind: 'servers' } : { kind: 'error', message: 'servers takes no arguments' };
    case 'conns':
      return args.length === 0 ? { kind: 'conns' } : { kind: 'error', message: 'conns takes no arguments' };
    case 'ss':
      return { kind: 'ss' };
    case 'reconnect':
      return { kind: 'reconnect' };
    case 'use': {
      const n = Number(args[0]);
      if (args.length !== 1 || !Number.isInteger(n) || n < 1) {
        return { kind: 'error', message: 'usage: use N, where N is a connection number that "conns" lists' };
      }
      return { kind: 'use', n };
    }
    case 'nc':
    case 'ncat':
    case 'netcat':
    case 'telnet': {
      if (args.length === 0) return { kind: 'error', message: `usage: ${name} ${TARGETS[0]}` };
      const target = args.join(' ');
      if (args.length === 1 && (TARGETS as readonly string[]).includes(target)) return { kind: 'nc', target };
      const [host = '', port = ''] = args;
      const own = args.length === 2 ? ownServer(host, port, servers) : undefined;
      if (own !== undefined) return { kind: 'nc', target: own };
      return { kind: 'error', message: `${name}: refused "${target}": ${ALLOWED}` };
    }
    case 'ssh':
    case 'curl':
    case 'wget':
    case 'ping':
    case 'python':
    case 'python3':
      return { kind: 'error', message: `${name} is not available here: ${ALLOWED}` };
    default:
      return { kind: 'error', message: `unknown command "${name}"; type "help" for the list` };
  }
}
