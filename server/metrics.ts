import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EventKind } from '../src/protocol/events.ts';
import { runningCaptures } from './capture/tcpdump.ts';

/** Why an upgrade to the sandbox was refused, as /metrics labels it. */
export type RefusalReason = 'origin' | 'host' | 'full' | 'draining' | 'error';

/** What a sandbox reports as it runs; the only part of the server that knows of prom-client. */
export type SandboxMetrics = {
  sessionOpened: () => void;
  event: (kind: EventKind, bytes: number | undefined) => void;
  upgradeRefused: (reason: RefusalReason) => void;
};

export type PlaygroundMetrics = SandboxMetrics & {
  /** Reads the live figures (open sessions, the cap) when scraped. */
  observe: (sources: { sessions: () => number; maxSessions: number }) => void;
  /** This process's metrics in the Prometheus text format. */
  text: () => Promise<string>;
  readonly contentType: string;
};

const PREFIX = 'socket_playground_';

/**
 * Node's own figures (heap, event-loop lag, CPU) are collected once per process, however many
 * playgrounds a test starts: each collection keeps an event-loop monitor running.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(): PlaygroundMetrics {
  const registry = new Registry();
  let sources: { sessions: () => number; maxSessions: number } = { sessions: () => 0, maxSessions: 0 };
  new Gauge({
    name: `${PREFIX}sessions`,
    help: 'Sandbox sessions open now.',
    registers: [registry],
    collect() {
      this.set(sources.sessions());
    },
  });
  new Gauge({
    name: `${PREFIX}sessions_max`,
    help: 'Sessions this process admits before /readyz turns 503 (MAX_SESSIONS).',
    registers: [registry],
    collect() {
      this.set(sources.maxSessions);
    },
  });
  const opened = new Counter({ name: `${PREFIX}sessions_opened_total`, help: 'Sandbox sessions opened.', registers: [registry] });
  const events = new Counter({
    name: `${PREFIX}events_total`,
    help: 'Socket events recorded for browsers, by kind; rate() gives events per second.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: `${PREFIX}socket_bytes_total`,
    help: "Bytes the sandbox's sockets read (in) and wrote (out).",
    labelNames: ['direction'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: `${PREFIX}upgrades_refused_total`,
    help: 'WebSocket upgrades to the sandbox refused, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['origin', 'host', 'full', 'draining', 'error'] satisfies RefusalReason[]) refused.inc({ reason }, 0);
  for (const direction of ['in', 'out']) bytes.inc({ direction }, 0);
  new Gauge({
    name: `${PREFIX}capture_processes`,
    help: 'tcpdump processes running for --capture.',
    registers: [registry],
    collect() {
      this.set(runningCaptures());
    },
  });
  const merged = Registry.merge([registry, processMetrics()]);
  // In a cluster worker, the primary's AggregatorRegistry asks for these over IPC; constructing one
  // is what makes prom-client answer (it adds its listener once per process).
  AggregatorRegistry.setRegistries([merged]);
  new AggregatorRegistry();

  return {
    sessionOpened: () => opened.inc(),
    event(kind, count) {
      events.inc({ kind });
      if (count !== undefined && kind === 'read') bytes.inc({ direction: 'in' }, count);
      if (count !== undefined && kind === 'write') bytes.inc({ direction: 'out' }, count);
    },
    upgradeRefused: (reason) => refused.inc({ reason }),
    observe: (next) => (sources = next),
    text: () => merged.metrics(),
    contentType: merged.contentType,
  };
}

/** In the primary of a cluster: every worker's metrics, summed (gauges too: sessions add up across workers). */
export function createClusterMetrics(): { text: () => Promise<string>; readonly contentType: string } {
  const aggregator = new AggregatorRegistry();
  return { text: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}
