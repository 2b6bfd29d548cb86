/**
 * What a guarded handler does with a failure it caught: the failing request or session ends, the
 * process goes on, and the operator hears of each kind of failure once rather than once per
 * request, so a client repeating a crashing input cannot flood the log.
 */
const seen = new Map<string, number>();

/** Failures caught so far, by where they happened and what they were. */
export function failureCounts(): ReadonlyMap<string, number> {
  return seen;
}

export function reportFailure(where: string, error: unknown): void {
  const what = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error).slice(0, 200);
  const key = `${where}|${error instanceof Error ? error.name : typeof error}`;
  const count = (seen.get(key) ?? 0) + 1;
  seen.set(key, count);
  if (count === 1) {
    console.error(`socket-playground: caught a failure in ${where} and ended only that: ${what}`);
    if (error instanceof Error && error.stack !== undefined) console.error(error.stack.split('\n').slice(1, 6).join('\n'));
  }
}
