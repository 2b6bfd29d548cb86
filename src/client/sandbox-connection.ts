import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment, CaptureState } from '../protocol/segments.ts';
import {
  PROTOCOL_VERSION,
  SANDBOX_PATH,
  serverMessage,
  type ClientMessage,
  type ServerInfo,
  type ServerMessage,
} from '../protocol/messages.ts';
import type { Closure, Refusal } from './close-cause.ts';

type Reply = Exclude<ServerMessage, { type: 'welcome' | 'events' | 'received' | 'capture' | 'segments' | 'notice' }>;
type Request = Extract<ClientMessage, { id: number }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type ConnectionStatus =
  | { state: 'connecting' }
  /**
   * `sandbox` numbers the sandboxes this page has opened (1, 2, …): the server's socket ids start
   * again in each one, so "s2" names a socket only together with its sandbox.
   */
  | { state: 'open'; sandbox: number; session: string; servers: ServerInfo[] }
  | ({ state: 'closed' } & Closure);

export type SandboxHandlers = {
  onEvents: (events: SocketEvent[]) => void;
  onSegments: (segments: CapturedSegment[]) => void;
  onCapture: (capture: CaptureState) => void;
  onReceived: (socket: string, data: string) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** An error not tied to a request: the server's word on something the browser sent. */
  onNotice: (message: string) => void;
};

/**
 * Requests a second at most, under the server's rate limit (MESSAGE_RATE_PER_SECOND in
 * server/limits.ts), so a long paste is slowed down rather than refused: nothing typed is lost.
 */
export const REQUESTS_PER_SECOND = 30;

/**
 * While the page is visible it tells the server so this often, well inside the server's idle
 * timeout (IDLE_TIMEOUT_MS) and its reclaim threshold (RECLAIM_IDLE_MS): a learner reading a long
 * lesson keeps their sandbox; a tab left hidden lets it go.
 */
export const PRESENCE_INTERVAL_MS = 60 * 1000;

/**
 * A browser is told nothing about a refused WebSocket upgrade (it sees 1006), so when the sandbox
 * never opened, the page asks the sandbox path with a plain GET, which answers whether it would
 * take a session and, if not, why.
 */
async function whyRefused(): Promise<Refusal | undefined> {
  try {
    const response = await fetch(SANDBOX_PATH, { cache: 'no-store' });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    const reason = typeof body === 'object' && body !== null && 'reason' in body ? body.reason : undefined;
    return reason === 'full' || reason === 'draining' ? reason : undefined;
  } catch {
    return undefined;
  }
}

/** The browser's end of the sandbox WebSocket: requests with ids, replies as promises, events as a stream. */
export class SandboxConnection {
  readonly #handlers: SandboxHandlers;
  readonly #url: string;
  #ws: WebSocket | undefined;
  #nextId = 1;
  #sandboxes = 0;
  #waiting = new Map<number, (reply: Reply) => void>();
  #recentSends: number[] = [];
  #pacer: Promise<void> = Promise.resolve();
  status: ConnectionStatus = { state: 'connecting' };

  constructor(url: string, handlers: SandboxHandlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  static urlFor(location: Location): string {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${SANDBOX_PATH}`;
  }

  /** Opens a new sandbox, unless one is open or opening: the page never holds two. */
  open(): void {
    if (this.#ws !== undefined) return;
    this.#setStatus({ state: 'connecting' });
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.addEventListener('open', () =>
      ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION } satisfies ClientMessage)),
    );
    const present = () => {
      if (document.visibilityState === 'visible' && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'presence' } satisfies ClientMessage));
      }
    };
    const presence = setInterval(present, PRESENCE_INTERVAL_MS);
    document.addEventListener('visibilitychange', present);
    ws.addEventListener('message', (event) => this.#receive(String(event.data)));
    ws.addEventListener('close', (event) => {
      clearInterval(presence);
      document.removeEventListener('visibilitychange', present);
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      const failed: Reply = { type: 'error', code: 'socket-closed', message: 'the sandbox connection closed before the reply' };
      for (const resolve of this.#waiting.values()) resolve(failed);
      this.#waiting.clear();
      const reached = this.status.state === 'open';
      const closed = { state: 'closed', code: event.code, reason: event.reason, reached } as const;
      if (reached) return this.#setStatus(closed);
      void whyRefused().then((refused) => {
        if (this.#ws === undefined) this.#setStatus(refused === undefined ? closed : { ...closed, refused });
      });
    });
  }

  close(): void {
    this.#ws?.close(1000, 'page closed');
  }

  /**
   * Sends a request and resolves with its reply, which may be an error reply. A request about a
   * socket names the sandbox it belongs to, and is refused here, unsent, once that sandbox is gone.
   */
  request(message: DistributiveOmit<Request, 'id'>, sandbox?: number): Promise<Reply> {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ type: 'error', code: 'socket-closed', message: 'not connected to the sandbox; type "reconnect"' });
    }
    if (sandbox !== undefined && (this.status.state !== 'open' || this.status.sandbox !== sandbox)) {
      return Promise.resolve({ type: 'error', code: 'socket-closed', message: 'that connection belonged to an earlier sandbox' });
    }
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#pacer = this.#pacer.then(async () => {
        await this.#slot();
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ ...message, id }));
      });
    });
  }

  /** Waits until one more request fits in the last second's allowance. */
  async #slot(): Promise<void> {
    const now = performance.now();
    this.#recentSends = this.#recentSends.filter((at) => now - at < 1000);
    const oldest = this.#recentSends[0];
    if (this.#recentSends.length >= REQUESTS_PER_SECOND && oldest !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (now - oldest)));
    }
    this.#recentSends.push(performance.now());
  }

  #setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.#handlers.onStatus(status);
  }

  #receive(raw: string): void {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.#handlers.onNotice('the sandbox sent a message that is not JSON; ignored');
      return;
    }
    const parsed = serverMessage.safeParse(value);
    if (!parsed.success) {
      this.#handlers.onNotice('the sandbox sent a message this page does not understand; reload the page');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'welcome':
        this.#sandboxes += 1;
        this.#setStatus({ state: 'open', sandbox: this.#sandboxes, session: message.session, servers: message.servers });
        this.#handlers.onCapture(message.capture);
        return;
      case 'capture':
        this.#handlers.onCapture(message.capture);
        return;
      case 'segments':
        this.#handlers.onSegments(message.segments);
        return;
      case 'events':
        this.#handlers.onEvents(message.events);
        return;
      case 'received':
        this.#handlers.onReceived(message.socket, message.data);
        return;
      case 'notice':
        this.#handlers.onNotice(message.message);
        return;
      default: {
        const resolve = message.id === undefined ? undefined : this.#waiting.get(message.id);
        if (resolve === undefined || message.id === undefined) {
          if (message.type === 'error') this.#handlers.onNotice(message.message);
          return;
        }
        this.#waiting.delete(message.id);
        resolve(message);
      }
    }
  }
}
