/**
 * The tcpdump filter for a session's own ports, e.g. `tcp and (port 40211 or port 51234)`.
 * It is built from validated integers alone, so nothing a learner types can widen what is captured;
 * an empty list throws rather than yield a filter that would capture every connection.
 */
export function captureFilter(ports: readonly number[]): string {
  if (ports.length === 0) throw new RangeError('a capture needs at least one port');
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`a capture port must be an integer from 1 to 65535, not ${String(port)}`);
    }
  }
  const unique = [...new Set(ports)];
  return `tcp and (${unique.map((port) => `port ${port}`).join(' or ')})`;
}
