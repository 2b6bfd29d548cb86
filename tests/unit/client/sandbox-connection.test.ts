import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SandboxConnection, type ConnectionStatus } from '../../../src/client/sandbox-connection.ts';

/** A WebSocket the test drives: it records what the page sends and is opened and closed by hand. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static made: FakeWebSocket[] = [];
  readyState = FakeWebSocket.CONNECTING;
  sent: Record<string, unknown>[] = [];
  constructor() {
    super();
    FakeWebSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.serverCloses(1000);
  }
  /** The server answers the hello with a welcome. */
  welcome(session: string): void {
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event('open'));
    const welcome = {
      type: 'welcome',
      version: 2,
      session,
      servers: [{ name: 'echo', address: '127.0.0.1:40000', state: 'listening' }],
      limits: { maxSendBytes: 4096, maxSockets: 16 },
      capture: { state: 'off', message: 'off' },
    };
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(welcome) }));
  }
  serverCloses(code: number): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason: '' }));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SandboxConnection', () => {
  beforeEach(() => {
    FakeWebSocket.made = [];
    vi.stubGlobal('WebSocket', FakeWebSocket);
    vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('numbers its sandboxes and never sends a request meant for an earlier one', async () => {
    const statuses: ConnectionStatus[] = [];
    const connection = new SandboxConnection('ws://test/sandbox', {
      onEvents: () => {},
      onSegments: () => {},
      onCapture: () => {},
      onReceived: () => {},
      onStatus: (status) => statuses.push(status),
      onNotice: () => {},
    });
    connection.open();
    connection.open();
    expect(FakeWebSocket.made).toHaveLength(1);
    const first = FakeWebSocket.made[0] as FakeWebSocket;
    first.welcome('a');
    expect(connection.status).toMatchObject({ state: 'open', sandbox: 1 });
    first.serverCloses(1001);
    expect(connection.status).toMatchObject({ state: 'closed', code: 1001, reached: true });

    connection.open();
    const second = FakeWebSocket.made[1] as FakeWebSocket;
    second.welcome('b');
    expect(connection.status).toMatchObject({ state: 'open', sandbox: 2 });
    const stale = await connection.request({ type: 'send', socket: 's2', data: 'old\n' }, 1);
    expect(stale).toMatchObject({ type: 'error', code: 'socket-closed' });
    void connection.request({ type: 'send', socket: 's2', data: 'new\n' }, 2);
    await settle();
    expect(second.sent.filter((message) => message.type === 'send')).toMatchObject([{ type: 'send', socket: 's2', data: 'new\n' }]);
    expect(first.sent.filter((message) => message.type === 'send')).toEqual([]);
  });
});
