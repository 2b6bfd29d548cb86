import type { Socket } from 'node:net';
import type { EventKind, SocketOrigin, SocketRole } from '../../src/protocol/events.ts';
import { previewBytes } from '../../src/protocol/preview.ts';

/** The fields a socket's events share; the session adds `seq` and `t`. */
export type EventDraft = {
  kind: EventKind;
  socket: string;
  role: SocketRole;
  origin: SocketOrigin;
  server?: string;
  local?: string;
  remote?: string;
  bytes?: number;
  preview?: string;
  error?: { code: string; message: string };
};

export type Emit = (draft: EventDraft) => void;

/** Why a socket's reads are paused; it reads again only when no reason is left. */
export type PauseReason = 'browser' | 'drain';

export function formatAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined || port === undefined) return undefined;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * A real net.Socket with every event it sees turned into an EventDraft. All writes go through
 * `write()` so that each one is recorded with its byte count.
 */
export class TrackedSocket {
  readonly id: string;
  readonly role: SocketRole;
  readonly origin: SocketOrigin;
  readonly server: string | undefined;
  readonly socket: Socket;
  bytesIn = 0;
  bytesOut = 0;
  local: string | undefined;
  remote: string | undefined;
  /** This side sent its FIN (shutdown or close). */
  finSent = false;
  /** The peer's FIN arrived. */
  finReceived = false;
  closed = false;
  /**
   * For a socket the echo server accepted: whether its peer is outside the browser (true) or one of
   * the terminal's own sockets (false); undefined until the session has told them apart.
   */
  fromOutside: boolean | undefined;
  readonly #emit: Emit;
  readonly #pauses = new Set<PauseReason>();

  constructor(options: {
    id: string;
    role: SocketRole;
    origin: SocketOrigin;
    server?: string;
    socket: Socket;
    emit: Emit;
    onData?: (chunk: Buffer) => void;
    onPeerFin?: () => void;
    onClose?: () => void;
  }) {
    this.id = options.id;
    this.role = options.role;
    this.origin = options.origin;
    this.server = options.server;
    this.socket = options.socket;
    this.#emit = options.emit;
    this.refreshAddresses();
    const socket = options.socket;
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      this.emit('read', { bytes: chunk.length, preview: previewBytes(chunk) });
      options.onData?.(chunk);
    });
    socket.on('end', () => {
      this.finReceived = true;
      this.emit('fin');
      options.onPeerFin?.();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.emit('error', { error: { code: error.code ?? 'ERROR', message: error.message.slice(0, 200) } });
    });
    socket.on('close', () => {
      this.closed = true;
      this.emit('close');
      options.onClose?.();
    });
  }

  emit(kind: EventKind, extra: Partial<EventDraft> = {}): void {
    this.#emit({
      kind,
      socket: this.id,
      role: this.role,
      origin: this.origin,
      server: this.server,
      local: this.local,
      remote: this.remote,
      ...extra,
    });
  }

  /** Reads the addresses once the kernel has them (after connect or accept). */
  refreshAddresses(): void {
    this.local = formatAddress(this.socket.localAddress, this.socket.localPort) ?? this.local;
    this.remote = formatAddress(this.socket.remoteAddress, this.socket.remotePort) ?? this.remote;
  }

  /** Writes and records; returns false when the kernel buffer is full (as socket.write does). */
  write(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    this.emit('write', { bytes: chunk.length, preview: previewBytes(chunk) });
    return this.socket.write(chunk);
  }

  /** shutdown(SHUT_WR): sends FIN, keeps reading. */
  shutdown(): void {
    if (this.finSent || this.closed) return;
    this.finSent = true;
    this.emit('shutdown');
    this.socket.end();
  }

  /**
   * close(): like Python's socket.close() on Linux. Unread data or a peer still sending would
   * make the kernel answer with RST; a plain close sends FIN and the fd is gone at once.
   */
  close(): void {
    if (this.closed) return;
    this.finSent = true;
    this.socket.destroySoon();
  }

  /** Tear down without FIN when the session itself ends. */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  pause(reason: PauseReason): void {
    this.#pauses.add(reason);
    this.socket.pause();
  }

  resume(reason: PauseReason): void {
    this.#pauses.delete(reason);
    if (this.#pauses.size === 0 && !this.closed) this.socket.resume();
  }
}
