import type { Micros } from '../clock.ts';
import { millis, seconds } from '../clock.ts';
import type { Rng } from '../rng.ts';
import { createRng, seedRng } from '../rng.ts';
import type { SegmentDraft, Side } from './segment.ts';
import { flags } from './segment.ts';
import type { EndpointConfig, SynBackoff } from './tcb.ts';
import { createEndpoint } from './tcb.ts';
import { createListener, listenerStep } from './listener.ts';
import { utf8Bytes } from './bytes.ts';
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
  /** How a connect() spaces its SYN retransmissions. */
  readonly synBackoff: SynBackoff;
};

export const DEFAULT_KNOBS: Knobs = {
  latency: millis(50),
  loss: 0,
  seed: 1,
  isn: undefined,
  msl: seconds(30),
  mode: 'timed',
  bytes: 20_000,
  synBackoff: 'linear-then-exponential',
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
  /** The server listens with this backlog before anything happens, so step 0 shows it in LISTEN. */
  readonly backlog: number;
  /** The server's program after listen(). */
  readonly server: readonly ScriptLine[];
  /** The listening socket knows its peer (RFC 9293's fully specified passive OPEN): the first client. */
  readonly knowsPeer?: boolean;
  /** A SYN from an earlier connection of the first client is still in the network at the start. */
  readonly oldDuplicateSyn?: boolean;
  readonly dropNext?: readonly (Side | 'any')[];
};

function build(knobs: Knobs, spec: Build): World {
  const rng = createRng(seedRng(knobs.seed));
  const config = (extra?: Partial<EndpointConfig>): Partial<EndpointConfig> => ({
    msl: knobs.msl,
    synBackoff: knobs.synBackoff,
    tsOffset: rng.int(2 ** 32),
    ...extra,
  });
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
  const listener = createListener({
    side: 'server',
    localPort: SERVER_PORT,
    ...(spec.knowsPeer ? { remotePort: CLIENT_PORT, iss: knobs.isn?.server ?? rng.int(2 ** 32) } : { iss: 0 }),
    config: config(),
  });
  const listening = listenerStep(listener, { kind: 'listen', backlog: spec.backlog }, 0);
  const oldSyn: SegmentDraft = {
    from: 'client',
    srcPort: CLIENT_PORT,
    dstPort: SERVER_PORT,
    seq: rng.int(2 ** 32),
    ack: 0,
    flags: flags('SYN'),
    window: 65535,
    options: { mss: 1460 },
    payload: '',
    len: 0,
  };
  return createWorld({
    listened: listening.transition,
    inFlight: spec.oldDuplicateSyn ? [oldSyn] : [],
    rng: rng.state(),
    network: createNetwork({ latency: knobs.latency, loss: knobs.loss, mode: knobs.mode, dropNext: spec.dropNext ?? [] }),
    clients,
    server: { name: 'server', listener: listening.listener, app: newAppRun(spec.server), current: undefined },
    serverIss: knobs.isn?.server,
    explanation: `${spec.description} Before the first step the server has called listen(backlog=${spec.backlog}): ${listening.why}`,
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

const send = (text: string, timing: Omit<ScriptLine, 'call'> = {}): ScriptLine => line({ op: 'send', data: utf8Bytes(text) }, timing);

const SERVE_ECHO_ONCE: readonly ScriptLine[] = [
  line({ op: 'accept' }),
  line({ op: 'recv', max: 1024 }),
  send('hello'),
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
      backlog: 5,
      server: [line({ op: 'accept' })],
    }),
  ),
  scenario('data-exchange', 'Data both ways', 'The client sends "hello", the echo server sends it back; every data segment is acknowledged.', (k, d) =>
    build(k, {
      description: d,
      clients: [
        {
          script: [
            line({ op: 'connect' }),
            send('hello'),
            line({ op: 'recv', max: 1024 }),
            line({ op: 'close' }, { after: millis(100) }),
          ],
        },
      ],
      backlog: 5,
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
        backlog: 5,
        server: [line({ op: 'accept' }), line({ op: 'recv', max: 1024, untilEof: true }), line({ op: 'close' }, { after: millis(100) })],
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
        backlog: 5,
        server: [line({ op: 'accept' }), line({ op: 'close' }, { at })],
      });
    },
  ),
  scenario(
    'simultaneous-open',
    'Simultaneous open',
    'Both sides open at once and their SYNs cross: SYN-SENT → SYN-RECEIVED → ESTABLISHED on each. The server’s socket listens knowing its peer, and sending turns it active (RFC 9293 §3.10.2; the sockets API has no such call). It closes before its handshake ends: SYN-RECEIVED → FIN-WAIT-1.',
    (k, d) =>
      build(k, {
        description: d,
        knowsPeer: true,
        clients: [{ script: [line({ op: 'connect' }), line({ op: 'recv', max: 1024, untilEof: true }), line({ op: 'close' })] }],
        backlog: 5,
        server: [send('hello'), line({ op: 'close' }, { at: k.latency + k.latency / 2 })],
      }),
  ),
  scenario(
    'connection-refused',
    'Connection refused',
    'The server closes its listening socket (LISTEN → CLOSED); then nothing listens on the port, so the server host answers the SYN with RST, ACK and connect() fails with ECONNREFUSED.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' }, { at: millis(1) })] }],
        backlog: 5,
        server: [line({ op: 'close-listener' })],
      }),
  ),
  scenario(
    'old-duplicate-syn',
    'Old duplicate SYN',
    'A SYN from an earlier connection arrives late. The server answers SYN, ACK; the client, which is not connecting, answers RST, and the half-open child goes back to LISTEN (SYN-RECEIVED → LISTEN, RFC 9293 §3.5). The client’s real connect() then succeeds.',
    (k, d) =>
      build(k, {
        description: d,
        oldDuplicateSyn: true,
        clients: [{ script: [line({ op: 'connect' }, { at: 6 * k.latency })] }],
        backlog: 5,
        server: [line({ op: 'accept' })],
      }),
  ),
  scenario(
    'lost-syn',
    'Lost SYN, retransmitted',
    'The first two SYNs are lost, and the client retransmits on its SYN timer: after 1 s and 1 s more on Linux 6.5 and later, after 1 s and 2 s more with RFC 6298’s doubling (the SYN retries setting).',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' })] }],
        backlog: 5,
        server: [line({ op: 'accept' })],
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
        backlog: 5,
        server: [line({ op: 'accept' })],
        dropNext: ['server'],
      }),
  ),
  scenario(
    'backlog-full',
    'Full accept queue',
    'listen(1) lets 2 connections wait (Linux admits backlog + 1). Client 3’s final ACK arrives after the queue filled and is ignored; client 4’s SYN finds it full and is dropped, so client 4 stays in SYN-SENT and retries until accept() makes room.',
    (k, d) => {
      const serve: readonly ScriptLine[] = [
        line({ op: 'accept' }),
        line({ op: 'recv', max: 1024 }),
        send('bye'),
        line({ op: 'recv', max: 1024, untilEof: true }),
        line({ op: 'close' }),
      ];
      const client = (name: string, at: Micros): ClientSpec => ({
        script: [line({ op: 'connect' }, { at }), send(name), line({ op: 'recv', max: 1024 }), line({ op: 'close' })],
      });
      return build(k, {
        description: d,
        clients: [client('one', 0), client('two', millis(1)), client('three', millis(2)), client('four', 6 * k.latency)],
        backlog: 1,
        server: [{ ...serve[0]!, at: seconds(2.5) }, ...serve.slice(1), ...serve, ...serve, ...serve],
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
              send('GET /time'),
              line({ op: 'shutdown' }),
              line({ op: 'recv', max: 1024, untilEof: true }),
              line({ op: 'close' }),
            ],
          },
        ],
        backlog: 5,
        server: [
          line({ op: 'accept' }),
          line({ op: 'recv', max: 1024, untilEof: true }),
          send('It is '),
          send('twelve o’clock.', { after: millis(100) }),
          line({ op: 'close' }, { after: millis(100) }),
        ],
      }),
  ),
  scenario(
    'abort',
    'Abort with RST',
    'The client closes with SO_LINGER 0: a RST replaces the FIN and the client discards its buffers. The server’s recv() still returns the bytes that had arrived, then fails with ECONNRESET.',
    (k, d) =>
      build(k, {
        description: d,
        clients: [{ script: [line({ op: 'connect' }), send('hello'), line({ op: 'abort' }, { after: millis(300) })] }],
        backlog: 5,
        server: [
          line({ op: 'accept' }),
          line({ op: 'recv', max: 1024 }, { after: millis(400) }),
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
        backlog: 5,
        server: [
          line({ op: 'accept' }),
          line({ op: 'recv', max: 65536, untilEof: true }),
          send('got it'),
          line({ op: 'close' }),
        ],
      }),
  ),
];

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
