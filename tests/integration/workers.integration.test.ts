import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Playground } from '../../server/app.ts';
import { CLOSE } from '../../server/limits.ts';
import { startPlayground } from '../../server/app.ts';
import { LIMITS } from '../../server/limits.ts';
import { runCli, startTestPlayground, TestClient, until } from './harness.ts';
import { descendants, running } from './processes.ts';

const dist = mkdtempSync(join(tmpdir(), 'playground-workers-'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>workers</title>');

/** Start-up of several type-stripped processes is slow on a loaded machine; this only bounds a hang. */
const START_MS = 30_000;

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The Prometheus text exposition format, line by line: HELP and TYPE comments, then samples of
 * declared metrics, each `name{label="value",…} number` (NaN and Inf in any case, as Prometheus
 * reads them: prom-client writes "Nan"). Returns the samples by name and labels.
 */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const declared = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment !== null) {
      if (comment[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
        declared.set(comment[2] as string, comment[3] as string);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]?[Ii]nf)$/.exec(line);
    if (sample === null) throw new Error(`not Prometheus text: ${line}`);
    const name = sample[1] as string;
    const family = [...declared.keys()].find((base) => name === base || /^_(bucket|sum|count|total|created)$/.test(name.slice(base.length)));
    if (family === undefined) throw new Error(`sample of an undeclared metric: ${line}`);
    samples.set(`${name}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

const run = (args: string[]) => runCli(dist, ['--port', '0', ...args]);

type Session = { ws: WebSocket; closed: number | undefined };

/** Opens a session, or says which HTTP status refused it. */
function open(port: number): Promise<Session | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sandbox`, { origin: `http://127.0.0.1:${port}` });
    const session: Session = { ws, closed: undefined };
    ws.on('error', () => undefined);
    ws.on('close', (code) => (session.closed = code));
    ws.once('message', () => resolve(session));
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
  });
}

async function openUntilRefused(port: number, atMost: number): Promise<{ sessions: Session[]; refusal: number | undefined }> {
  const sessions: Session[] = [];
  for (let i = 0; i < atMost; i++) {
    const result = await open(port);
    if (typeof result === 'number') return { sessions, refusal: result };
    sessions.push(result);
  }
  return { sessions, refusal: undefined };
}

const workerPids = (primary: number) => descendants(primary).filter(running);

describe('--workers', () => {
  it('serves twice the per-process cap with 2 workers, sums their metrics, and SIGTERM drains both', async () => {
    const cli = run(['--workers', '2', '--max-sessions', '3']);
    await until(() => /running at http:\/\/127\.0\.0\.1:(\d+)\/ \(2 worker processes\)/.test(cli.out()), 'the start-up line', START_MS);
    const port = Number(/:(\d+)\//.exec(cli.out())?.[1]);
    const workers = workerPids(cli.child.pid as number);
    expect(workers).toHaveLength(2);

    const { sessions, refusal } = await openUntilRefused(port, 8);
    expect(sessions).toHaveLength(6);
    expect(refusal).toBe(503);
    const ready = await get(port, '/readyz');
    expect([ready.status, JSON.parse(ready.body)]).toEqual([503, { ready: false, reason: 'full' }]);

    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    const samples = parsePrometheus(metrics.body);
    expect(samples.get('socket_playground_sessions')).toBe(6);
    expect(samples.get('socket_playground_sessions_max')).toBe(6);
    expect(samples.get('socket_playground_upgrades_refused_total{reason="full"}')).toBe(1);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await until(() => sessions.every((session) => session.closed !== undefined), 'every session to close');
    expect(sessions.map((session) => session.closed)).toEqual(Array(6).fill(CLOSE.goingAway));
    expect(workers.filter(running)).toEqual([]);
  });

  it('replaces a worker that dies; its learners reconnect and the other keeps its sessions', async () => {
    const cli = run(['--workers', '2', '--max-sessions', '2', '--metrics-port', '0']);
    await until(() => /running at http:\/\/127\.0\.0\.1:(\d+)\//.test(cli.out()) && /metrics of all workers at/.test(cli.out()), 'the start-up lines', START_MS);
    const port = Number(/running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(cli.out())?.[1]);
    const metricsPort = Number(/metrics of all workers at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(cli.out())?.[1]);
    const { sessions } = await openUntilRefused(port, 4);
    expect(sessions).toHaveLength(4);
    // With --metrics-port, the metrics are there only.
    expect((await get(port, '/metrics')).status).toBe(404);
    expect(parsePrometheus((await get(metricsPort, '/metrics')).body).get('socket_playground_sessions')).toBe(4);

    const [victim] = workerPids(cli.child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await until(() => !running(victim as number), 'the worker to die');
    await until(() => sessions.filter((session) => session.closed !== undefined).length === 2, 'its two sessions to drop', START_MS);
    expect(sessions.filter((session) => session.closed !== undefined).map((session) => session.closed)).toEqual([1006, 1006]);
    await until(() => /starting another/.test(cli.out()), 'the replacement to be announced', START_MS);
    await until(() => workerPids(cli.child.pid as number).filter((pid) => pid !== victim).length === 2, 'a second worker again', START_MS);
    // The new worker takes sessions as soon as it listens; until then the full one refuses.
    const reopened: Session[] = [];
    const deadline = Date.now() + START_MS;
    while (reopened.length < 2 && Date.now() < deadline) {
      const result = await open(port);
      if (typeof result === 'number') await new Promise((resolve) => setTimeout(resolve, 100));
      else reopened.push(result);
    }
    expect(reopened).toHaveLength(2);
    expect(sessions.filter((session) => session.closed === undefined)).toHaveLength(2);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    for (const session of reopened) session.ws.terminate();
  });
});

describe('GET /metrics', () => {
  const started: Playground[] = [];
  afterAll(async () => {
    for (const playground of started) await playground.close();
  });

  it('counts sessions, events, bytes both ways and refused upgrades by reason, in Prometheus text', async () => {
    const playground = await startTestPlayground({ limits: { maxSessions: 1 } });
    started.push(playground);
    const client = await TestClient.open(playground);
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error('no connection');
    await client.request({ type: 'send', socket: opened.socket, data: 'hello\n' });
    await until(() => client.messages.some((message) => message.type === 'received'), 'the echo');
    expect(await open(playground.port)).toBe(503);
    const foreign = new WebSocket(`ws://127.0.0.1:${playground.port}/sandbox`, { origin: 'http://evil.example' });
    foreign.on('error', () => undefined);
    await new Promise((resolve) => foreign.once('unexpected-response', resolve));
    const renamed = new WebSocket(`ws://127.0.0.1:${playground.port}/sandbox`, { origin: `http://127.0.0.1:${playground.port}`, headers: { Host: 'rebound.example' } });
    renamed.on('error', () => undefined);
    await new Promise((resolve) => renamed.once('unexpected-response', resolve));

    const samples = parsePrometheus((await get(playground.port, '/metrics')).body);
    expect(samples.get('socket_playground_sessions')).toBe(1);
    expect(samples.get('socket_playground_sessions_opened_total')).toBe(1);
    // 'hello\n' is written by the terminal, read by the echo server, written back and read again.
    expect(samples.get('socket_playground_socket_bytes_total{direction="in"}')).toBe(12);
    expect(samples.get('socket_playground_socket_bytes_total{direction="out"}')).toBe(12);
    expect(samples.get('socket_playground_events_total{kind="listen"}')).toBe(1);
    expect(samples.get('socket_playground_events_total{kind="accept"}')).toBe(1);
    expect(samples.get('socket_playground_upgrades_refused_total{reason="full"}')).toBe(1);
    expect(samples.get('socket_playground_upgrades_refused_total{reason="origin"}')).toBe(1);
    expect(samples.get('socket_playground_upgrades_refused_total{reason="host"}')).toBe(1);
    expect(samples.get('socket_playground_upgrades_refused_total{reason="draining"}')).toBe(0);
    expect(samples.get('socket_playground_capture_processes')).toBe(0);
    expect(samples.has('nodejs_heap_size_used_bytes')).toBe(true);
    await client.close();

    const draining = playground.sandbox.close();
    expect(await open(playground.port)).toBe(503);
    await draining;
    const after = parsePrometheus((await get(playground.port, '/metrics')).body);
    expect(after.get('socket_playground_upgrades_refused_total{reason="draining"}')).toBe(1);
    expect(after.get('socket_playground_sessions')).toBe(0);
  });

  it('with a metrics port, answers only there, on loopback', async () => {
    const playground = await startPlayground(
      { port: 0, host: '127.0.0.1', origins: [], dist, capture: false, metricsPort: 0 },
      { ...LIMITS },
    );
    started.push(playground);
    expect((await get(playground.port, '/metrics')).status).toBe(404);
    const metrics = await get(playground.metricsPort as number, '/metrics');
    expect(metrics.status).toBe(200);
    expect(parsePrometheus(metrics.body).get('socket_playground_sessions')).toBe(0);
    expect((await get(playground.metricsPort as number, '/')).status).toBe(404);
  });
});
