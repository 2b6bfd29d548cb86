import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';
import { formatMicros } from './sequence-model.ts';

function who(event: SocketEvent): string {
  if (event.role === 'listener') return `${event.socket} ${event.server ?? ''} listener`.replace('  ', ' ');
  if (event.role === 'server') return `${event.socket} ${event.server ?? 'server'}`;
  return `${event.socket} client`;
}

/** One plain line per event: the text twin of the diagram, for screen readers and copying. */
export function describeEvent(event: SocketEvent): string {
  const at = formatMicros(event.t).padStart(14);
  const bytes = `${event.bytes ?? 0} B "${event.preview ?? ''}"`;
  const text = ((): string => {
    switch (event.kind) {
      case 'listen':
        return `listen() on ${event.local}`;
      case 'connect':
        return `connect() to ${event.remote}: SYN sent`;
      case 'connected':
        return `connect() returned: ${event.local} → ${event.remote} established (SYN-ACK received, ACK sent)`;
      case 'accept':
        return `accept() returned a socket for ${event.remote}`;
      case 'read':
        return `recv() got ${bytes}`;
      case 'write':
        return `write() wrote ${bytes}`;
      case 'shutdown':
        return 'shutdown(SHUT_WR): FIN sent, still reading';
      case 'fin':
        return "recv() returned b'': the peer sent FIN";
      case 'close':
        return 'close()';
      case 'error':
        return `error ${event.error?.code ?? ''}: ${event.error?.message ?? ''}`;
    }
  })();
  return `${at}  ${who(event)}: ${text}`;
}

/** One plain line per captured segment, in tcpdump's words. */
export function describeSegment(segment: CapturedSegment): string {
  const at = formatMicros(segment.t).padStart(14);
  const flags = (['SYN', 'FIN', 'RST', 'PSH', 'ACK'] as const).filter((flag) => segment.flags[flag]).join(',');
  const ack = segment.flags.ACK ? ` ack ${segment.ack}` : '';
  const options = [
    segment.options.mss === undefined ? '' : `mss ${segment.options.mss}`,
    segment.options.sackPermitted ? 'sackOK' : '',
    segment.options.timestamps === undefined ? '' : `TS val ${segment.options.timestamps.tsval} ecr ${segment.options.timestamps.tsecr}`,
    segment.options.windowScale === undefined ? '' : `wscale ${segment.options.windowScale}`,
  ].filter((option) => option !== '');
  const payload = segment.len > 0 ? ` "${segment.preview}"` : '';
  return `${at}  captured ${segment.src} > ${segment.dst}: [${flags}] seq ${segment.seq}${ack} win ${segment.window}${options.length > 0 ? ` [${options.join(', ')}]` : ''} length ${segment.len}${payload}`;
}
