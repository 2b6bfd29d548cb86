import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { SANDBOX_PATH } from '../src/protocol/messages.ts';
import { CLOSE, LIMITS, MAX_PAYLOAD_BYTES, type Limits } from './limits.ts';
import { reportFailure } from './failures.ts';
import { Session } from './session.ts';
import { KernelSocketTable } from './lab/kernel-sockets.ts';
import type { CaptureSupport } from './capture/tcpdump.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';
import type { SandboxMetrics } from './metrics.ts';

export type SandboxOptions = {
  /** The origins a browser may open the sandbox from; read at each upgrade (the port may be chosen late). */
  allowedOrigins: () => ReadonlySet<string>;
  /** Where the session's own servers listen. */
  labHost?: string;
  /** Set when --capture was asked for: whether this machine permits it, checked once at start-up. */
  capture?: CaptureSupport;
  /** Caps and timeouts; tests pass shorter ones. */
  limits?: Limits;
  /** The clock and timers every session's timeouts use; tests move time by hand. */
  scheduler?: Scheduler;
  /** Counts sessions, events, bytes and refusals for /metrics. */
  metrics?: SandboxMetrics;
};

/** Whether the sandbox would take a new session now, and if not, why: what /readyz and a refused page report. */
export type Readiness = { ready: true } | { ready: false; reason: 'full' | 'draining' };

export type Sandbox = {
  /** Takes an HTTP upgrade if it is for the sandbox path; returns false to leave it to others. */
  handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  sessions: () => ReadonlySet<Session>;
  readiness: () => Readiness;
  /** The kernel's TCP table, shared by every session. */
  kernelTable: KernelSocketTable;
  /** Closes every session with the given code, stops taking new ones, and settles once all are closed. */
  close: (code?: number, reason?: string) => Promise<void>;
};

function refuse(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The path of a request target, without parsing it as a URL: a target such as `//%5B` would be
 * read as an authority by `new URL()`, which throws on it.
 */
export function requestPath(target: string | undefined): string {
  const path = (target ?? '/').split(/[?#]/, 1)[0] ?? '/';
  return path === '' ? '/' : path;
}

/** The origins a page served at host:port has, as a browser writes them. */
export function originsFor(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  if (host.includes(':') && !host.startsWith('[')) hosts.add(`[${host}]`);
  return new Set([...[...hosts].map((name) => `http://${name}:${port}`), ...extra]);
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const labHost = options.labHost ?? '127.0.0.1';
  const limits = options.limits ?? { ...LIMITS };
  const scheduler = options.scheduler ?? realScheduler;
  const kernelTable = new KernelSocketTable({ ttlMs: limits.kernelTableTtlMs });
  const sessions = new Set<Session>();
  let closing = false;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  /** When full, the session quiet for longest (and at least reclaimIdleMs) makes room for a newcomer. */
  function reclaimIdle(): boolean {
    let quietest: Session | undefined;
    for (const session of sessions) {
      if (quietest === undefined || session.lastMessageAt < quietest.lastMessageAt) quietest = session;
    }
    if (quietest === undefined || scheduler.now() - quietest.lastMessageAt < limits.reclaimIdleMs) return false;
    sessions.delete(quietest);
    quietest.end(CLOSE.reclaimed, 'idle while the playground was full; reconnect for a new sandbox');
    return true;
  }

  function accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const origin = request.headers.origin;
    if (origin === undefined || !options.allowedOrigins().has(origin)) {
      options.metrics?.upgradeRefused('origin');
      refuse(socket, 403, 'Forbidden', 'this origin may not open the sandbox; open the playground from its own address');
      return;
    }
    if (closing) {
      options.metrics?.upgradeRefused('draining');
      refuse(socket, 503, 'Service Unavailable', 'the playground is shutting down');
      return;
    }
    if (sessions.size >= limits.maxSessions && !reclaimIdle()) {
      options.metrics?.upgradeRefused('full');
      refuse(socket, 503, 'Service Unavailable', `the playground is full (${limits.maxSessions} sessions); try again in a minute`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new Session(ws, {
        id: randomUUID(),
        labHost,
        capture: options.capture,
        kernelTable,
        limits,
        scheduler,
        ...(options.metrics === undefined ? {} : { onEvent: options.metrics.event }),
      });
      sessions.add(session);
      options.metrics?.sessionOpened();
      ws.once('close', () => sessions.delete(session));
    });
  }

  return {
    handleUpgrade(request, socket, head) {
      if (requestPath(request.url) !== SANDBOX_PATH) return false;
      try {
        accept(request, socket, head);
      } catch (error) {
        reportFailure('a WebSocket upgrade', error);
        options.metrics?.upgradeRefused('error');
        if (socket.writable) refuse(socket, 400, 'Bad Request', 'the upgrade request could not be handled');
        else socket.destroy();
      }
      return true;
    },
    sessions: () => sessions,
    readiness: () =>
      closing ? { ready: false, reason: 'draining' } : sessions.size >= limits.maxSessions ? { ready: false, reason: 'full' } : { ready: true },
    kernelTable,
    async close(code = CLOSE.goingAway, reason = 'server shutting down') {
      closing = true;
      const closed = [...sessions].map((session) => session.closed);
      for (const session of sessions) session.end(code, reason);
      sessions.clear();
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
