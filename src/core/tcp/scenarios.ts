import type { Micros } from '../clock.ts';
import { millis, seconds } from '../clock.ts';
import type { Rng } from '../rng.ts';
import { createRng, seedRng } from '../rng.ts';
import type { Side } from './segment.ts';
import type { EndpointConfig } from './tcb.ts';
import { createEndpoint } from './tcb.ts';
import { createListener } from './listener.ts';
import type { DeliveryMode } from './network.ts';
import { createNetwork } from './network.ts';
import type { ClientHost, ScriptLine, World } from './simulation.ts';
import { createWorld, newAppRun } from './simulation.ts';

export type Knobs = {
  /** One-way latency. */
  readonly latency: Micros;
  /** Probability that any one segment is lost. */
  readonly loss: number;
  readonly seed: number;
  /** Initial sequence numbers; drawn from the seed when left out. */
  readonly isn: { readonly client: number; readonly server: number } | undefined;
  readonly msl: Micros;
  readonly mode: DeliveryMode;
  /** Bytes the client uploads in the bulk-transfer scenario. */
  readonly bytes: number;
};

export const DEFAULT_KNOBS: Knobs = {
  latency: millis(50),
  loss: 0,
  seed: 1,
  isn: undefined,
  msl: seconds(30),
  mode: 'timed',
  bytes: 20_000,
};

export type Scenario = {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly create: (knobs?: Partial<Knobs>) => World;
};

export const SERVER_PORT = 65432;
export const CLIENT_PORT = 50000;

type ClientSpec = { readonly script: readonly ScriptLine[]; readonly config?: Partial<EndpointConfig> };

type Build = {
  readonly description: string;
  readonly clients: readonly ClientSpec[];
  readonly server: readonly ScriptLine[];
  readonly dropNext?: readonly (Side | 'any')[];
};

function build(knobs: Knobs, spec: Build): World {
  const rng = createRng(seedRng(knobs.seed));
  const config = (extra?: Partial<EndpointConfig>): Partial<EndpointConfig> => ({ msl: knobs.msl, tsOffset: rng.int(2 ** 32), ...extra });
  const clients: ClientHost[] = spec.clients.map((c, i) => ({
    name: spec.clients.length === 1 ? 'client' : `client ${i + 1}`,
    endpoint: createEndpoint({
      side: 'client',
      localPort: CLIENT_PORT + i,
      remotePort: SERVER_PORT,
      iss: i === 0 && knobs.isn !== undefined ? knobs.isn.client : rng.int(2 ** 32),
      config: config(c.config),
    }),
    app: newAppRun(c.script),
  }));
  const listener = createListener({ side: 'server', localPort: SERVER_PORT, iss: 0, config: config() });
  return createWorld({
    rng: rng.state(),
    network: createNetwork({ latency: knobs.latency, loss: knobs.loss, mode: knobs.mode, dropNext: spec.dropNext ?? [] }),
    clients,
    server: { name: 'server', listener, app: newAppRun(spec.server), current: undefined },
    serverIss: knobs.isn?.server,
    explanation: spec.description,
  });
}

/** Bytes with a long period, so a duplicated or misplaced chunk cannot pass for the right one. */
export function patternBytes(n: number, seed: number): string {
  const rng: Rng = createRng(seedRng(seed ^ 0x9e3779b9));
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(97 + rng.int(26));
  return out;
}

const line = (call: ScriptLine['call'], timing: Omit<ScriptLine, 'call'> = {}): ScriptLine => ({ call, ...timing });

const SERVE_ECHO_ONCE: readonly ScriptLine[] = [
  line({ op: 'listen', backlog: 5 }),
  line({ op: 'accept' }),
  line({ op: 'recv', max: 1024 }),
  line({ op: 'send', data: 'hello' }),
  line({ op: 'recv', max: 1024, untilEof: true }),
  line({ op: 'close' }),
];

const scenario = (id: string, title: string, description: string, make: (k: Knobs, description: string) => World): Scenario => ({
  id,
  title,
  description,
  create: (knobs = {}) => make({ ...DEFAULT_KNOBS, ...knobs }, description),
});

export const SCENARIOS: readonly Scenario[] = [
  scenario('handshake', 'Three-way handshake', 'connect() sends SYN, the server answers SYN, ACK, the client ACKs: both ESTABLISHED, then accept() returns.', (k, d) =>
    build(k, {
      description: d,
      clients: [{ script: [line({ op: 'connect' })] }],
      server: [line({ op: 'listen', backlog: 5 }), line({ op: 'accept' })],
    }),
  ),
  scenario('data-exchange', 'Data both ways', 'The client sends "hello", the echo server sends it back; every data segment is acknowledged.', (k, d) =>
    build(k, {
      description: d,
      clients: [
        {
          script: [
            line({ op: 'connect' }),
            line({ op: 'send', data: 'hello' }),
            line({ op: 'recv', max: 1024 }),
            line({ op: 'close' }, { after: millis(100) }),
          ],
        },
      ],
      server: SERVE_ECHO_ONCE,
    }),
  ),
  scenario(
    'active-close',
    'Active close and TIME-WAIT',
    'The client closes first: FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for 2·MSL before the connection is gone.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' }), line({ op: 'close' }, { after: millis(200) })] }],
        server: [
          line({ op: 'listen', backlog: 5 }),
          line({ op: 'accept' }),
          line({ op: 'recv', max: 1024, untilEof: true }),
          line({ op: 'close' }, { after: millis(100) }),
        ],
      }),
  ),
  scenario(
    'simultaneous-close',
    'Simultaneous close',
    'Both sides call close() at the same moment: their FINs cross, both go FIN-WAIT-1 → CLOSING → TIME-WAIT.',
    (k, d) => {
      const at = 4 * k.latency + millis(100);
      return build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' }), line({ op: 'close' }, { at })] }],
        server: [line({ op: 'listen', backlog: 5 }), line({ op: 'accept' }), line({ op: 'close' }, { at })],
      });
    },
  ),
  scenario(
    'connection-refused',
    'Connection refused',
    'Nothing listens on the port: the server host answers the SYN with RST, ACK and connect() fails with ECONNREFUSED.',
    (k, d) => build(k, { description: d, clients: [{ script: [line({ op: 'connect' })] }], server: [] }),
  ),
  scenario(
    'lost-syn',
    'Lost SYN, exponential backoff',
    'The first two SYNs are lost: the client retransmits after 1 s, then after 2 s more, doubling the timeout each time.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' })] }],
        server: [line({ op: 'listen', backlog: 5 }), line({ op: 'accept' })],
        dropNext: ['client', 'client'],
      }),
  ),
  scenario(
    'lost-syn-ack',
    'Lost SYN, ACK',
    "The server's SYN, ACK is lost: both sides time out; the client's repeated SYN gets the SYN, ACK again.",
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' })] }],
        server: [line({ op: 'listen', backlog: 5 }), line({ op: 'accept' })],
        dropNext: ['server'],
      }),
  ),
  scenario(
    'backlog-full',
    'Full accept queue',
    'backlog=1 and two clients: the second handshake completes on the client, but the server drops its ACK until accept() makes room.',
    (k, d) => {
      const serve: readonly ScriptLine[] = [
        line({ op: 'recv', max: 1024 }),
        line({ op: 'send', data: 'bye' }),
        line({ op: 'recv', max: 1024, untilEof: true }),
        line({ op: 'close' }),
      ];
      const client = (name: string, delay: Micros): ClientSpec => ({
        script: [line({ op: 'connect' }, { at: delay }), line({ op: 'send', data: name }), line({ op: 'recv', max: 1024 }), line({ op: 'close' })],
      });
      return build(k, {
        description: d,
        clients: [client('one', 0), client('two', millis(1))],
        server: [line({ op: 'listen', backlog: 1 }), line({ op: 'accept' }, { at: seconds(2.5) }), ...serve, line({ op: 'accept' }), ...serve],
      });
    },
  ),
  scenario(
    'half-close',
    'Half-close',
    'The client sends a request and shuts down its write side; the server keeps sending its answer, then closes.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [
          {
            script: [
              line({ op: 'connect' }),
              line({ op: 'send', data: 'GET /time' }),
              line({ op: 'shutdown' }),
              line({ op: 'recv', max: 1024, untilEof: true }),
              line({ op: 'close' }),
            ],
          },
        ],
        server: [
          line({ op: 'listen', backlog: 5 }),
          line({ op: 'accept' }),
          line({ op: 'recv', max: 1024, untilEof: true }),
          line({ op: 'send', data: 'It is ' }),
          line({ op: 'send', data: 'twelve o’clock.' }, { after: millis(100) }),
          line({ op: 'close' }, { after: millis(100) }),
        ],
      }),
  ),
  scenario(
    'abort',
    'Abort with RST',
    'The client closes with SO_LINGER 0: a RST replaces the FIN, buffers are discarded, and the server’s recv() fails with ECONNRESET.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' }), line({ op: 'send', data: 'hello' }), line({ op: 'abort' }, { after: millis(300) })] }],
        server: [
          line({ op: 'listen', backlog: 5 }),
          line({ op: 'accept' }),
          line({ op: 'recv', max: 1024 }),
          line({ op: 'recv', max: 1024 }),
          line({ op: 'close' }),
        ],
      }),
  ),
  scenario(
    'bulk-transfer',
    'Bulk transfer',
    'The client uploads many segments and half-closes; the server reads to EOF and answers. Try it with loss.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [
          {
            script: [
              line({ op: 'connect' }),
              line({ op: 'send', data: patternBytes(k.bytes, k.seed) }),
              line({ op: 'shutdown' }),
              line({ op: 'recv', max: 65536, untilEof: true }),
              line({ op: 'close' }),
            ],
          },
        ],
        server: [
          line({ op: 'listen', backlog: 5 }),
          line({ op: 'accept' }),
          line({ op: 'recv', max: 65536, untilEof: true }),
          line({ op: 'send', data: 'got it' }),
          line({ op: 'close' }),
        ],
      }),
  ),
];

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
