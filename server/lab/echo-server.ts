import { createServer, type Server, type Socket } from 'node:net';
import { formatAddress, TrackedSocket, type Emit } from './tracked-socket.ts';

export type EchoServerOptions = {
  host: string;
  emit: Emit;
  nextSocketId: () => string;
  /** Called for each connection it accepts, so the session can own and free it. */
  onAccept: (tracked: TrackedSocket) => void;
  /** Asked before echoing each chunk; false means the connection's byte budget is spent and the session has ended it. */
  mayRead: (tracked: TrackedSocket, bytes: number) => boolean;
};

/**
 * The Python echo server of the lesson, in Node: accept, then for each chunk recv()'d, sendall()
 * it back; when recv() returns b'' (the peer's FIN), close. sendall() blocks while the kernel's
 * send buffer is full; here that is a pause of reads until 'drain'.
 */
export class EchoServer {
  readonly listener: Server;
  readonly id: string;
  address: string | undefined;
  readonly #options: EchoServerOptions;

  constructor(options: EchoServerOptions) {
    this.#options = options;
    this.id = options.nextSocketId();
    this.listener = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen({ port: 0, host: this.#options.host, backlog: 16 }, () => {
        this.listener.off('error', reject);
        const info = this.listener.address();
        if (info === null || typeof info === 'string') throw new Error('echo server has no TCP address');
        this.address = formatAddress(info.address, info.port);
        this.#options.emit({
          kind: 'listen',
          socket: this.id,
          role: 'listener',
          origin: 'sandbox',
          server: 'echo',
          local: this.address,
        });
        resolve(this.address ?? '');
      });
    });
  }

  get port(): number {
    const info = this.listener.address();
    return info !== null && typeof info !== 'string' ? info.port : 0;
  }

  #accept(socket: Socket): void {
    const tracked: TrackedSocket = new TrackedSocket({
      id: this.#options.nextSocketId(),
      role: 'server',
      origin: 'sandbox',
      server: 'echo',
      socket,
      emit: this.#options.emit,
      onData: (chunk) => {
        if (!this.#options.mayRead(tracked, chunk.length)) return;
        if (!tracked.write(chunk)) {
          tracked.pause('drain');
          socket.once('drain', () => tracked.resume('drain'));
        }
      },
      onPeerFin: () => tracked.close(),
    });
    tracked.emit('accept');
    this.#options.onAccept(tracked);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.listener.listening) return resolve();
      this.listener.close(() => {
        this.#options.emit({
          kind: 'close',
          socket: this.id,
          role: 'listener',
          origin: 'sandbox',
          server: 'echo',
          local: this.address,
        });
        resolve();
      });
    });
  }
}
