import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { WebSocket } from 'ws';
import type { SocketEvent } from '../src/protocol/events.ts';
import {
  isTargetName,
  MAX_SEND_BYTES,
  parseClientMessage,
  PROTOCOL_VERSION,
  refusedTargetMessage,
  type ClientMessage,
  type ErrorCode,
  type NoticeCode,
  type ServerMessage,
  type SocketInfo,
} from '../src/protocol/messages.ts';
import { EventOutbox } from './event-outbox.ts';
import { EchoServer } from './lab/echo-server.ts';
import { KernelSocketTable } from './lab/kernel-sockets.ts';
import { TrackedSocket, type EventDraft } from './lab/tracked-socket.ts';
import { CLOSE, CONNECT_TIMEOUT_MS, LIMITS, MAX_CLIENT_SOCKETS, MAX_SESSION_SEND_BYTES, type Limits } from './limits.ts';
import { reportFailure } from './failures.ts';
import { TokenBucket } from './rate-limit.ts';
import { realScheduler, type Scheduler, type TimerHandle } from './scheduler.ts';
import { startCapture, type Capture, type CaptureSupport } from './capture/tcpdump.ts';
import type { CaptureState } from '../src/protocol/segments.ts';

/** The kernel's send buffer a terminal socket may fill before further sends are refused. */
const MAX_UNSENT_BYTES = 64 * 1024;

export type SessionOptions = {
  id: string;
  /** Address the session's servers listen on: always loopback. */
  labHost: string;
  /** Present when --capture was asked for: whether tcpdump may run here, or why not. */
  capture?: CaptureSupport;
  /** The kernel's TCP table, read once for all the sessions of a process. */
  kernelTable?: KernelSocketTable;
  limits?: Limits;
  /** Where the session's timeouts read the time and set their timers; tests move it by hand. */
  scheduler?: Scheduler;
  /** Told of each event as it is recorded, for /metrics. */
  onEvent?: (kind: SocketEvent['kind'], bytes: number | undefined) => void;
};

const CAPTURE_OFF: CaptureState = {
  state: 'off',
  message: 'Packet capture is off, so the handshake is reconstructed; start the server with npm start -- --capture to see real segments.',
};

/**
 * One sandbox per WebSocket: its own echo server on an ephemeral loopback port, the client sockets
 * its terminal opens, and the sockets the echo server accepts. It owns all of them and frees all of
 * them when the WebSocket closes.
 */
export class Session {
  readonly id: string;
  readonly #ws: WebSocket;
  readonly #outbox: EventOutbox;
  readonly #scheduler: Scheduler;
  /**
   * Events are stamped on the real clock, not the scheduler's: they record when real I/O happened,
   * and tcpdump's timestamps are placed beside them.
   */
  readonly #start = process.hrtime.bigint();
  /** The same instant on the wall clock, in µs, to place tcpdump's timestamps on the session's timeline. */
  readonly #wallStart = Math.round((performance.timeOrigin + performance.now()) * 1000);
  #capture: Capture | undefined;
  #captureState: CaptureState = CAPTURE_OFF;
  readonly #sockets = new Map<string, TrackedSocket>();
  /** The terminal's connect()s still under way, each settling when it completes or fails. */
  readonly #connecting = new Map<string, Promise<void>>();
  readonly #echo: EchoServer;
  readonly #limits: Limits;
  readonly #kernelTable: KernelSocketTable;
  readonly #bucket: TokenBucket;
  readonly #onEvent: SessionOptions['onEvent'];
  #lifetimeTimer: TimerHandle | undefined;
  #idleTimer: TimerHandle | undefined;
  #heartbeat: TimerHandle | undefined;
  /** Whether the browser has shown a sign of life since the last ping. */
  #alive = true;
  #seq = 0;
  #nextSocket = 1;
  #violations = 0;
  #sentBytes = 0;
  #outsideBytes = 0;
  /**
   * When this session's sockets last did anything: `ss` must show the kernel's table from after it.
   * On the real clock, the kernel table's own: it caches a real file, not a learner's allowance.
   */
  #lastEventAt = Number.NEGATIVE_INFINITY;
  #ended = false;
  /** The scheduler's time of the browser's last message: the longest quiet session gives way when the process is full. */
  lastMessageAt: number;
  readonly ready: Promise<void>;
  /** Settles once the WebSocket is closed, by the browser or cut off after the close grace. */
  readonly closed: Promise<void>;

  constructor(ws: WebSocket, options: SessionOptions) {
    this.id = options.id;
    this.#ws = ws;
    this.#limits = options.limits ?? { ...LIMITS };
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#onEvent = options.onEvent;
    this.lastMessageAt = this.#scheduler.now();
    this.#kernelTable = options.kernelTable ?? new KernelSocketTable({ ttlMs: this.#limits.kernelTableTtlMs });
    this.#bucket = new TokenBucket(this.#limits.messageRatePerSecond, this.#limits.messageBurst, this.#scheduler);
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    this.#outbox = new EventOutbox(ws, {
      onBackpressure: (paused) => {
        for (const tracked of this.#sockets.values()) {
          if (paused) tracked.pause('browser');
          else tracked.resume('browser');
        }
      },
      onOverflow: () => this.end(CLOSE.policy, 'browser stopped reading events'),
    }, this.#scheduler);
    this.#echo = new EchoServer({
      host: options.labHost,
      emit: (draft) => this.#emit(draft),
      nextSocketId: () => this.#newSocketId(),
      onAccept: (tracked) => this.#accepted(tracked),
      mayRead: (tracked, bytes) => this.#mayRead(tracked, bytes),
    });
    ws.on('message', (data, isBinary) => {
      // Whatever a browser sends, a failure here ends this session only, never the process.
      try {
        this.#receive(isBinary ? null : data.toString());
      } catch (error) {
        reportFailure('a WebSocket message', error);
        this.end(CLOSE.internal, 'internal error');
      }
    });
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.end());
    ws.on('error', () => this.end());
    this.#touch();
    this.#lifetimeTimer = this.#scheduler.setTimeout(() => this.end(CLOSE.lifetime, 'session lifetime reached'), this.#limits.lifetimeMs);
    this.#heartbeat = this.#scheduler.setInterval(() => this.#beat(), this.#limits.heartbeatIntervalMs);
    this.ready = this.#echo.listen().then(
      () => {
        if (this.#ended) return;
        this.#startCapture(options.capture);
        this.#reply({
          type: 'welcome',
          version: PROTOCOL_VERSION,
          session: this.id,
          servers: [{ name: 'echo', address: this.#echo.address ?? '', state: 'listening' }],
          limits: { maxSendBytes: MAX_SEND_BYTES, maxSockets: MAX_CLIENT_SOCKETS },
          capture: this.#captureState,
        });
      },
      () => this.end(CLOSE.internal, 'the echo server could not listen'),
    );
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Closes the WebSocket (if open) and frees every socket and server the session opened. */
  end(code: number = CLOSE.normal, reason = ''): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#outbox.close();
    this.#scheduler.clear(this.#lifetimeTimer);
    this.#scheduler.clear(this.#idleTimer);
    this.#scheduler.clear(this.#heartbeat);
    this.#capture?.stop();
    this.#capture = undefined;
    for (const tracked of this.#sockets.values()) tracked.destroy();
    this.#sockets.clear();
    void this.#echo.close();
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) {
      this.#ws.close(code, reason);
      // ws waits 30 s for the browser's half of the close; one that is not reading never sends it.
      const cutOff = this.#scheduler.setTimeout(() => this.#ws.terminate(), this.#limits.closeGraceMs);
      void this.closed.then(() => this.#scheduler.clear(cutOff));
    }
  }

  /** Pings the browser; one that did not answer the last ping is gone, and its slot is freed. */
  #beat(): void {
    if (!this.#alive) {
      this.end(CLOSE.goingAway, 'no answer to ping');
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  /** Captures the session's own echo port only, and tells the page whether it could. */
  #startCapture(support: CaptureSupport | undefined): void {
    if (support === undefined) return;
    if (!support.ok) {
      this.#captureState = { state: 'unavailable', message: support.reason };
      return;
    }
    this.#captureState = { state: 'off', message: 'Packet capture is starting…' };
    this.#capture = startCapture({
      ports: [this.#echo.port],
      tcpdumpPath: support.path,
      onReady: () => {
        this.#captureState = { state: 'on', message: `Capturing this session's segments on port ${this.#echo.port}: arrows marked ● are real packets.` };
        this.#reply({ type: 'capture', capture: this.#captureState });
      },
      onSegment: (segment, timestampMicros) => this.#outbox.pushSegment({ ...segment, t: timestampMicros - this.#wallStart }),
      onError: (message) => {
        this.#captureState = { state: 'unavailable', message: `Packet capture stopped: ${message}` };
        this.#reply({ type: 'capture', capture: this.#captureState });
      },
    });
  }

  #newSocketId(): string {
    return `s${this.#nextSocket++}`;
  }

  #emit(draft: EventDraft): void {
    if (this.#ended) return;
    this.#lastEventAt = performance.now();
    this.#onEvent?.(draft.kind, draft.bytes);
    const t = Number((process.hrtime.bigint() - this.#start) / 1000n);
    const event: SocketEvent = { seq: this.#seq++, t, ...draft };
    for (const key of Object.keys(event) as (keyof SocketEvent)[]) if (event[key] === undefined) delete event[key];
    this.#outbox.push(event);
  }

  #reply(message: ServerMessage): void {
    this.#outbox.send(message);
  }

  #fail(code: ErrorCode, message: string, id?: number): void {
    this.#reply({ type: 'error', code, message, ...(id === undefined ? {} : { id }) });
  }

  #notice(code: NoticeCode, message: string, socket?: string): void {
    this.#reply({ type: 'notice', code, message, ...(socket === undefined ? {} : { socket }) });
  }

  #touch(): void {
    this.#scheduler.clear(this.#idleTimer);
    this.#idleTimer = this.#scheduler.setTimeout(() => this.end(CLOSE.idle, 'idle for too long'), this.#limits.idleTimeoutMs);
  }

  #violation(code: ErrorCode, message: string, id?: number): void {
    this.#fail(code, message, id);
    this.#violations += 1;
    if (this.#violations >= this.#limits.maxViolations) this.end(CLOSE.policy, 'too many invalid messages');
  }

  #receive(raw: string | null): void {
    if (this.#ended) return;
    this.#alive = true;
    this.lastMessageAt = this.#scheduler.now();
    this.#touch();
    if (!this.#bucket.take()) {
      this.#violation('rate', `too many messages: at most ${this.#limits.messageRatePerSecond} a second`);
      return;
    }
    if (raw === null) {
      this.#violation('bad-message', 'binary frames are not part of the protocol; send JSON text');
      return;
    }
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.#violation(parsed.code, parsed.message, parsed.id);
      return;
    }
    this.ready.then(
      () => {
        try {
          this.#handle(parsed.message);
        } catch (error) {
          reportFailure(`a "${parsed.message.type}" request`, error);
          this.end(CLOSE.internal, 'internal error');
        }
      },
      () => undefined,
    );
  }

  #handle(message: ClientMessage): void {
    if (this.#ended) return;
    switch (message.type) {
      case 'hello':
        if (message.version !== PROTOCOL_VERSION) {
          this.#violation(
            'version',
            `this server speaks protocol version ${PROTOCOL_VERSION}, not ${message.version}; reload the page`,
          );
        }
        return;
      case 'connect':
        return this.#connect(message.id, message.target);
      case 'send':
        return this.#send(message.id, message.socket, message.data);
      case 'shutdown':
        return this.#withTerminalSocket(message.id, message.socket, (tracked) => {
          tracked.shutdown();
          this.#reply({ type: 'ok', id: message.id });
        });
      case 'close':
        return this.#withTerminalSocket(message.id, message.socket, (tracked) => {
          tracked.close();
          this.#reply({ type: 'ok', id: message.id });
        });
      case 'presence':
        // Receiving it has already kept the session from idling out; nothing to answer.
        return;
      case 'sockets':
        this.#listSockets(message.id).catch((error: unknown) => {
          reportFailure('a "sockets" request', error);
          this.#fail('socket-error', 'the socket table could not be read', message.id);
        });
        return;
    }
  }

  #adopt(tracked: TrackedSocket): void {
    this.#sockets.set(tracked.id, tracked);
    tracked.socket.once('close', () => this.#sockets.delete(tracked.id));
    if (this.#ended) tracked.destroy();
  }

  /**
   * A connection the echo server accepted. The terminal's own always stay; one from outside the
   * browser (any local process can see the port) gets its own budget of connections, bytes and
   * idle time, so it can never use up what the learner's terminal needs.
   */
  #accepted(tracked: TrackedSocket): void {
    this.#adopt(tracked);
    // A terminal socket's port is known to Node only once its connect() completes, which may come
    // after the echo server's accept(); wait for those before deciding where this one came from.
    const pending = [...this.#connecting.values()];
    if (pending.length === 0) this.#classify(tracked);
    else void Promise.all(pending).then(() => this.#classify(tracked));
  }

  #classify(tracked: TrackedSocket): void {
    if (this.#ended || tracked.closed) return;
    tracked.fromOutside = !this.#fromTerminal(tracked);
    if (!tracked.fromOutside) return;
    const outside = [...this.#sockets.values()].filter((other) => other.fromOutside === true && !other.closed).length;
    const { maxOutsideConnections, maxOutsideBytes, outsideIdleMs } = this.#limits;
    if (outside > maxOutsideConnections || this.#outsideBytes >= maxOutsideBytes) {
      const why =
        outside > maxOutsideConnections
          ? `${maxOutsideConnections} connections from outside the browser are already open`
          : `outside clients have sent their ${formatBytes(maxOutsideBytes)} for this session`;
      this.#dropOutside(tracked, 'outside-refused', 'SANDBOX_REFUSED', `refused a connection from ${tracked.remote ?? 'outside'}: ${why}`);
      return;
    }
    let idle: TimerHandle | undefined;
    const arm = () => {
      this.#scheduler.clear(idle);
      idle = this.#scheduler.setTimeout(
        () =>
          this.#dropOutside(
            tracked,
            'outside-idle',
            'SANDBOX_IDLE',
            `closed the outside connection from ${tracked.remote ?? '?'}: it sent nothing for ${Math.round(outsideIdleMs / 1000)} s`,
          ),
        outsideIdleMs,
      );
    };
    arm();
    tracked.socket.on('data', arm);
    tracked.socket.once('close', () => this.#scheduler.clear(idle));
  }

  /** Whether an accepted connection's peer is one of this terminal's sockets (the kernel knows its port from connect() on). */
  #fromTerminal(tracked: TrackedSocket): boolean {
    const port = tracked.socket.remotePort;
    return this.#terminalSockets().some((socket) => socket.socket.localPort === port && port !== undefined);
  }

  #mayRead(tracked: TrackedSocket, bytes: number): boolean {
    // The terminal's bytes are already capped where it sends them (MAX_SESSION_SEND_BYTES).
    if (tracked.fromOutside !== true) return true;
    this.#outsideBytes += bytes;
    if (this.#outsideBytes <= this.#limits.maxOutsideBytes) return true;
    this.#dropOutside(
      tracked,
      'outside-bytes',
      'SANDBOX_LIMIT',
      `closed the outside connection from ${tracked.remote ?? '?'}: outside clients have sent their ${formatBytes(this.#limits.maxOutsideBytes)} for this session`,
    );
    return false;
  }

  /** Ends a connection from outside, and says why on the diagram (an error event) and in the terminal (a notice). */
  #dropOutside(tracked: TrackedSocket, notice: NoticeCode, code: string, message: string): void {
    tracked.emit('error', { error: { code, message } });
    this.#notice(notice, message, tracked.id);
    tracked.destroy();
  }

  #terminalSockets(): TrackedSocket[] {
    return [...this.#sockets.values()].filter((tracked) => tracked.origin === 'terminal');
  }

  #connect(id: number, target: string): void {
    if (!isTargetName(target)) {
      this.#violation('refused-target', refusedTargetMessage(target), id);
      return;
    }
    if (this.#terminalSockets().length >= MAX_CLIENT_SOCKETS) {
      this.#fail(
        'limit',
        `at most ${MAX_CLIENT_SOCKETS} connections may be open at once; close one first (conns, then use N and Ctrl-C)`,
        id,
      );
      return;
    }
    const socket = new Socket({ allowHalfOpen: true });
    const decoder = new StringDecoder('utf8');
    const socketId = this.#newSocketId();
    const tracked = new TrackedSocket({
      id: socketId,
      role: 'client',
      origin: 'terminal',
      server: target,
      socket,
      emit: (draft) => this.#emit(draft),
      onData: (chunk) => this.#reply({ type: 'received', socket: socketId, data: decoder.write(chunk) }),
    });
    this.#adopt(tracked);
    tracked.remote = this.#echo.address;
    this.#connecting.set(
      socketId,
      new Promise((resolve) => {
        const done = () => {
          this.#connecting.delete(socketId);
          resolve();
        };
        socket.once('connect', done);
        socket.once('close', done);
      }),
    );
    let settled = false;
    const timeout = this.#scheduler.setTimeout(() => {
      if (settled) return;
      settled = true;
      this.#fail('socket-error', `connect() to ${target} did not complete in ${CONNECT_TIMEOUT_MS / 1000} s`, id);
      tracked.destroy();
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      this.#scheduler.clear(timeout);
      tracked.refreshAddresses();
      tracked.emit('connected');
      if (settled) return;
      settled = true;
      this.#reply({ type: 'opened', id, socket: tracked.id, local: tracked.local ?? '', remote: tracked.remote ?? '' });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      this.#scheduler.clear(timeout);
      if (settled) return;
      settled = true;
      this.#fail('socket-error', `connect() to ${target} failed: ${error.code ?? error.message}`, id);
    });
    tracked.emit('connect');
    socket.connect({ port: this.#echo.port, host: '127.0.0.1' });
  }

  #withTerminalSocket(id: number, socketId: string, action: (tracked: TrackedSocket) => void): void {
    const tracked = this.#sockets.get(socketId);
    if (tracked === undefined || tracked.origin !== 'terminal') {
      this.#fail('no-such-socket', `no open terminal socket ${socketId}; "conns" lists yours`, id);
      return;
    }
    action(tracked);
  }

  #send(id: number, socketId: string, data: string): void {
    this.#withTerminalSocket(id, socketId, (tracked) => {
      if (tracked.finSent) {
        this.#fail('socket-closed', `${socketId} has shut down its sending side (FIN sent); it can only receive now`, id);
        return;
      }
      const bytes = Buffer.from(data, 'utf8');
      if (this.#sentBytes + bytes.length > MAX_SESSION_SEND_BYTES) {
        this.#fail(
          'limit',
          `this session has sent its ${MAX_SESSION_SEND_BYTES / 1024} KiB; reload the page for a new sandbox`,
          id,
        );
        return;
      }
      if (tracked.socket.writableLength + bytes.length > MAX_UNSENT_BYTES) {
        this.#fail('limit', `${socketId}'s send buffer is full: the peer is not reading; wait, or close it`, id);
        return;
      }
      this.#sentBytes += bytes.length;
      tracked.write(bytes);
      this.#reply({ type: 'ok', id });
    });
  }

  async #listSockets(id: number): Promise<void> {
    const kernel = await this.#kernelTable.rows(this.#lastEventAt);
    if (this.#ended) return;
    const stateOf = (local?: string, remote?: string): string | undefined =>
      kernel.find((entry) => entry.local === local && entry.remote === (remote ?? entry.remote))?.state;
    const tracked = [...this.#sockets.values()];
    const rows: SocketInfo[] = [
      {
        socket: this.#echo.id,
        role: 'listener',
        origin: 'sandbox',
        server: 'echo',
        local: this.#echo.address,
        state: this.#echo.listener.listening ? 'LISTEN' : 'CLOSED',
        bytesIn: 0,
        bytesOut: 0,
      },
    ];
    for (const socket of tracked) {
      const peer =
        socket.role === 'server'
          ? (tracked.find((other) => other.role === 'client' && other.local === socket.remote)?.id ?? 'outside')
          : undefined;
      rows.push({
        socket: socket.id,
        role: socket.role,
        origin: socket.origin,
        server: socket.server,
        ...(peer === undefined ? {} : { peer }),
        local: socket.local,
        remote: socket.remote,
        state: stateOf(socket.local, socket.remote) ?? nodeState(socket),
        bytesIn: socket.bytesIn,
        bytesOut: socket.bytesOut,
      });
    }
    // Connections the program has closed but the kernel still holds: TIME-WAIT is the lesson.
    const echoAddress = this.#echo.address;
    const known = new Set(tracked.map((socket) => `${socket.local}|${socket.remote}`));
    for (const entry of kernel) {
      if (entry.state !== 'TIME-WAIT' && entry.state !== 'FIN-WAIT-2' && entry.state !== 'LAST-ACK') continue;
      if (entry.local !== echoAddress && entry.remote !== echoAddress) continue;
      if (known.has(`${entry.local}|${entry.remote}`)) continue;
      rows.push({
        socket: '-',
        role: entry.local === echoAddress ? 'server' : 'client',
        origin: entry.local === echoAddress ? 'sandbox' : 'terminal',
        local: entry.local,
        remote: entry.remote,
        state: entry.state,
        bytesIn: 0,
        bytesOut: 0,
      });
    }
    const shown = rows.slice(0, this.#limits.maxSocketRows);
    const more = rows.length - shown.length;
    this.#reply({ type: 'sockets', id, sockets: shown, ...(more > 0 ? { more } : {}) });
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** What Node alone can tell of a socket's state, where the kernel's table is not readable. */
function nodeState(socket: TrackedSocket): string {
  if (socket.closed) return 'CLOSED';
  if (socket.socket.connecting) return 'SYN-SENT';
  if (socket.finSent && socket.finReceived) return 'CLOSING';
  if (socket.finSent) return 'FIN-WAIT';
  if (socket.finReceived) return 'CLOSE-WAIT';
  return 'ESTAB';
}
