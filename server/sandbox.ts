import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { SANDBOX_PATH } from '../src/protocol/messages.ts';
import { CLOSE, MAX_PAYLOAD_BYTES, MAX_SESSIONS } from './limits.ts';
import { Session } from './session.ts';
import type { CaptureSupport } from './capture/tcpdump.ts';

export type SandboxOptions = {
  /** The origins a browser may open the sandbox from; read at each upgrade (the port may be chosen late). */
  allowedOrigins: () => ReadonlySet<string>;
  /** Where the session's own servers listen. */
  labHost?: string;
  /** Set when --capture was asked for: whether this machine permits it, checked once at start-up. */
  capture?: CaptureSupport;
};

export type Sandbox = {
  /** Takes an HTTP upgrade if it is for the sandbox path; returns false to leave it to others. */
  handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  sessions: () => ReadonlySet<Session>;
  /** Closes every session with the given code and stops taking new ones. */
  close: (code?: number, reason?: string) => Promise<void>;
};

function refuse(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The origins a page served at host:port has, as a browser writes them. */
export function originsFor(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  if (host.includes(':') && !host.startsWith('[')) hosts.add(`[${host}]`);
  return new Set([...[...hosts].map((name) => `http://${name}:${port}`), ...extra]);
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const labHost = options.labHost ?? '127.0.0.1';
  const sessions = new Set<Session>();
  let closing = false;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  return {
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      if (path !== SANDBOX_PATH) return false;
      socket.on('error', () => socket.destroy());
      const origin = request.headers.origin;
      if (origin === undefined || !options.allowedOrigins().has(origin)) {
        refuse(
          socket,
          403,
          'Forbidden',
          `origin ${origin ?? '(none)'} may not open the sandbox; open the playground from its own address`,
        );
        return true;
      }
      if (closing) {
        refuse(socket, 503, 'Service Unavailable', 'the playground is shutting down');
        return true;
      }
      if (sessions.size >= MAX_SESSIONS) {
        refuse(socket, 503, 'Service Unavailable', `the playground is full (${MAX_SESSIONS} sessions); try again in a minute`);
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const session = new Session(ws, { id: randomUUID(), labHost, capture: options.capture });
        sessions.add(session);
        ws.once('close', () => sessions.delete(session));
      });
      return true;
    },
    sessions: () => sessions,
    async close(code = CLOSE.goingAway, reason = 'server shutting down') {
      closing = true;
      for (const session of sessions) session.end(code, reason);
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
