import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { PlaygroundConfig } from './config.ts';
import { MAX_WORKER_RESTARTS, WORKER_DRAIN_MS, WORKER_RESTART_WINDOW_MS } from './limits.ts';
import { createClusterMetrics } from './metrics.ts';

/**
 * --workers N: N whole playgrounds behind one port with node:cluster. Sessions share nothing (each
 * lives on its WebSocket in one process), so the primary only starts, replaces and stops workers,
 * and sums their metrics; it never handles a session.
 */

/** What a worker tells its primary, and what the primary answers; checked like any other input. */
const fromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('playground:listening'), url: z.string(), note: z.string().optional() }),
  z.object({ type: z.literal('playground:start-error'), message: z.string() }),
  z.object({ type: z.literal('playground:metrics-request'), id: z.number() }),
]);
type FromWorker = z.infer<typeof fromWorker>;

const fromPrimary = z.discriminatedUnion('type', [
  z.object({ type: z.literal('playground:shutdown') }),
  z.object({ type: z.literal('playground:metrics'), id: z.number(), text: z.string().optional(), error: z.string().optional() }),
]);
type FromPrimary = z.infer<typeof fromPrimary>;

export const isWorker = (): boolean => cluster.isWorker;

/**
 * Whether a worker that died is replaced, given when the earlier replacements happened: at most
 * MAX_WORKER_RESTARTS within WORKER_RESTART_WINDOW_MS, so a worker that crashes at start-up again
 * and again is given up on instead of looping. Returns the replacements to remember.
 */
export function replacement(earlier: readonly number[], now: number): { replace: boolean; restarts: number[] } {
  const recent = earlier.filter((at) => now - at < WORKER_RESTART_WINDOW_MS);
  return recent.length < MAX_WORKER_RESTARTS ? { replace: true, restarts: [...recent, now] } : { replace: false, restarts: recent };
}

/** In a worker: tell the primary this worker serves (the primary prints the address once for all). */
export function announce(message: Omit<Extract<FromWorker, { type: 'playground:listening' }>, 'type'> | { error: string }): void {
  process.send?.(
    'error' in message
      ? ({ type: 'playground:start-error', message: message.error } satisfies FromWorker)
      : ({ type: 'playground:listening', ...message } satisfies FromWorker),
  );
}

let nextRequest = 0;
const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();

/** In a worker: every worker's metrics, summed by the primary. */
export function askPrimaryForMetrics(): Promise<string> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    process.send?.({ type: 'playground:metrics-request', id } satisfies FromWorker);
  });
}

/** In a worker: runs `drain` when the primary says to stop (it has itself received SIGTERM or SIGINT). */
export function onPrimaryMessages(drain: () => void): void {
  process.on('message', (raw: unknown) => {
    const parsed = fromPrimary.safeParse(raw);
    if (!parsed.success) return;
    const message: FromPrimary = parsed.data;
    if (message.type === 'playground:shutdown') return drain();
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) request?.resolve(message.text);
    else request?.reject(new Error(message.error ?? 'no metrics'));
  });
}

/** The primary: starts the workers, replaces one that dies (at a bounded rate), drains all on SIGTERM. */
export async function runPrimary(config: PlaygroundConfig): Promise<void> {
  const metrics = createClusterMetrics();
  let stopping = false;
  let announced = 0;
  let restarts: number[] = [];
  const log = (line: string) => console.log(`socket-playground: ${line}`);

  const answerMetrics = (worker: Worker, id: number) =>
    metrics.text().then(
      (text) => worker.isConnected() && worker.send({ type: 'playground:metrics', id, text } satisfies FromPrimary),
      (error: Error) => worker.isConnected() && worker.send({ type: 'playground:metrics', id, error: error.message } satisfies FromPrimary),
    );

  const fork = (): Worker => {
    const worker = cluster.fork();
    let listening = false;
    // A send to a worker that is already gone fails; its 'exit' below is what deals with that.
    worker.on('error', () => undefined);
    worker.on('message', (raw: unknown) => {
      const parsed = fromWorker.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'playground:metrics-request') return void answerMetrics(worker, message.id);
      if (message.type === 'playground:start-error') {
        // The same configuration would fail the same way in every worker: stop, do not retry.
        console.error(`socket-playground: ${message.message}`);
        void stop(1);
        return;
      }
      listening = true;
      announced += 1;
      if (announced === config.workers) {
        console.log(`Socket Playground is running at ${message.url} (${config.workers} worker processes)`);
        if (message.note !== undefined) console.log(message.note);
        console.log('Press Ctrl-C to stop.');
      }
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      // Exit code 0 is a worker that drained on a signal of its own (Ctrl-C reaches the whole
      // process group): it was stopped, not crashed.
      if (code === 0) {
        if (Object.keys(cluster.workers ?? {}).length === 0) void stop(0);
        return;
      }
      const decision = replacement(restarts, performance.now());
      restarts = decision.restarts;
      const how = signal === null ? `code ${code}` : signal;
      if (!listening || !decision.replace) {
        log(`worker ${worker.process.pid} exited (${how}); not replacing it: ${listening ? `${MAX_WORKER_RESTARTS} restarts within ${WORKER_RESTART_WINDOW_MS / 1000} s` : 'it never started'}`);
        if (Object.keys(cluster.workers ?? {}).length === 0) void stop(1);
        return;
      }
      log(`worker ${worker.process.pid} exited (${how}); starting another (its learners reconnect to a new sandbox)`);
      fork();
    });
    return worker;
  };

  const stop = async (status: number, signal?: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (signal !== undefined) console.log(`\n${signal}: closing the sessions of ${Object.keys(cluster.workers ?? {}).length} worker(s)…`);
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    const exits = workers.map(
      (worker) =>
        new Promise<boolean>((resolve) => {
          if (worker.isDead()) return resolve(true);
          const killer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_DRAIN_MS);
          worker.once('exit', (code) => {
            clearTimeout(killer);
            resolve(code === 0);
          });
          if (worker.isConnected()) worker.send({ type: 'playground:shutdown' } satisfies FromPrimary);
          else worker.process.kill('SIGTERM');
        }),
    );
    const clean = (await Promise.all(exits)).every(Boolean);
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    process.exit(status === 0 && !clean ? 1 : status);
  };

  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : createServer((request, response) => {
          if (request.url?.split('?')[0] !== '/metrics') return void response.writeHead(404).end('only /metrics here\n');
          metrics.text().then(
            (text) => response.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).end(text),
            () => response.writeHead(503).end('workers did not answer\n'),
          );
        });
  if (metricsServer !== undefined) {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', (error: Error) => reject(error));
      metricsServer.listen(config.metricsPort, config.metricsHost, () => resolve());
    }).catch((error: NodeJS.ErrnoException) => {
      console.error(`socket-playground: cannot serve metrics on ${config.metricsHost}:${config.metricsPort}: ${error.code ?? error.message}`);
      process.exit(1);
    });
    log(`metrics of all workers at http://${config.metricsHost}:${(metricsServer.address() as AddressInfo).port}/metrics`);
  }
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  for (let i = 0; i < config.workers; i++) fork();
}
