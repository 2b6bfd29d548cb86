/** Why the server would not open a sandbox at all, as its /readyz says. */
export type Refusal = 'full' | 'draining';

/** What the page knows when its sandbox WebSocket has closed. */
export type Closure = {
  code: number;
  /** The server's own words; shown as they are, never interpreted. */
  reason: string;
  refused?: Refusal;
  /** Whether this WebSocket got as far as a sandbox (a welcome) before it closed. */
  reached: boolean;
};

/** Why a sandbox closed, decided from the close code and what the page saw, never from the reason text. */
export type CloseCause =
  | 'full'
  | 'draining'
  | 'unreachable'
  | 'server-stopped'
  | 'idle'
  | 'lifetime'
  | 'reclaimed'
  | 'policy'
  | 'too-big'
  | 'server-error'
  | 'dropped'
  | 'closed';

/** The close codes of server/limits.ts (CLOSE), which the browser cannot import. */
const BY_CODE: Record<number, CloseCause> = {
  1000: 'closed',
  1001: 'server-stopped',
  1006: 'dropped',
  1008: 'policy',
  1009: 'too-big',
  1011: 'server-error',
  4001: 'reclaimed',
  4002: 'idle',
  4003: 'lifetime',
};

export function closeCause(closure: Closure): CloseCause {
  if (closure.refused !== undefined) return closure.refused;
  if (!closure.reached) return 'unreachable';
  return BY_CODE[closure.code] ?? 'closed';
}

export const CLOSE_SENTENCES: Record<CloseCause, string> = {
  full: 'The playground is full: every sandbox is in use.',
  draining: 'The server is shutting down and opens no new sandboxes.',
  unreachable: 'The sandbox server cannot be reached; it may be restarting.',
  'server-stopped': 'The server stopped or restarted, and your sandbox closed with it.',
  idle: 'The server closed your sandbox after a long quiet spell with this page hidden.',
  lifetime: 'Your sandbox reached the end of its time limit.',
  reclaimed: 'The playground filled up while your sandbox was quiet, so it gave its place to a newcomer.',
  policy: 'The server closed your sandbox: this page sent too many invalid messages or fell too far behind reading.',
  'too-big': 'The server closed your sandbox: this page sent a message that was too large.',
  'server-error': 'The server hit an internal error and closed your sandbox.',
  dropped: 'The connection to your sandbox dropped.',
  closed: 'Your sandbox closed.',
};

/** Causes whose sentence covers more than one case, where the server's own words tell which. */
const QUOTE_REASON: ReadonlySet<CloseCause> = new Set(['policy']);

/** One plain sentence (two when the server's words help) saying why the sandbox closed. */
export function describeClosure(closure: Closure): string {
  const cause = closeCause(closure);
  const sentence = CLOSE_SENTENCES[cause];
  return QUOTE_REASON.has(cause) && closure.reason !== '' ? `${sentence} The server said: “${closure.reason}”.` : sentence;
}
