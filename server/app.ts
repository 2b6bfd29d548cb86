import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { DEFAULT_HOST, type SiteConfig } from './config.ts';
import { reportFailure } from './failures.ts';
import { CLOSE, HTTP_TIMEOUT_CHECK_MS, LIMITS, MAX_REQUESTS_PER_SOCKET, type Limits } from './limits.ts';
import { SANDBOX_PATH } from '../src/protocol/messages.ts';
import { createSandbox, originsFor, requestPath, type Sandbox } from './sandbox.ts';
import { SECURITY_HEADERS, staticFiles } from './static-files.ts';
import { captureSupport, type CaptureSupport } from './capture/tcpdump.ts';
import { createMetrics } from './metrics.ts';
import type { Scheduler } from './scheduler.ts';

export type Playground = {
  url: string;
  port: number;
  http: Server;
  /** The separate metrics server when --metrics-port is given, and its port. */
  metricsPort: number | undefined;
  sandbox: Sandbox;
  /** Whether --capture is in force, or why not; undefined when it was not asked for. */
  capture: CaptureSupport | undefined;
  /** Closes every session with 1001, then the HTTP server. */
  close: () => Promise<void>;
};

/** A start-up failure with a message meant for the person at the terminal, not a stack trace. */
export class StartError extends Error {}

function describeListenError(error: NodeJS.ErrnoException, config: SiteConfig): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${config.port} on ${config.host} is already in use. Stop the program using it, or choose another port: npm start -- --port 4322 (or PORT=4322 npm start).`;
    case 'EACCES':
      return `not allowed to listen on port ${config.port}; ports below 1024 need privileges. Choose another: npm start -- --port 4322.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on ${config.host}: this machine has no such address. The default is 127.0.0.1.`;
    default:
      return `cannot listen on ${config.host}:${config.port}: ${error.message}`;
  }
}

function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

/** The Host names (with port) a request may carry: those of the allowed origins, so no other name can reach the site (DNS rebinding). */
export function hostsOf(origins: ReadonlySet<string>): Set<string> {
  const hosts = new Set<string>();
  for (const origin of origins) {
    const url = URL.parse(origin);
    if (url !== null) hosts.add(url.host.toLowerCase());
  }
  return hosts;
}

function plainResponse(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
}

/** What a playground takes from its host beyond the configuration. */
export type PlaygroundRuntime = {
  /** The clock and timers of every session; tests move time by hand. */
  scheduler?: Scheduler;
  /**
   * Set in a cluster worker: asks the primary for every worker's metrics, summed. GET /metrics then
   * answers with those, and with --metrics-port the primary listens there instead of the worker.
   */
  clusterMetrics?: () => Promise<string>;
};

function listenOn(server: Server, port: number, host: string, config: SiteConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new StartError(describeListenError(error, { ...config, port, host }))));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Endpoints for probes and scrapers, which reach the pod by its address, so they answer whatever the Host: they show no page. */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The built site and the sandbox WebSocket on one port. */
export async function startPlayground(
  config: SiteConfig,
  limits: Limits = { ...LIMITS },
  runtime: PlaygroundRuntime = {},
): Promise<Playground> {
  if (!existsSync(join(config.dist, 'index.html'))) {
    throw new StartError(`no built site in ${config.dist}/. Run "npm run build" first (npm start does it for you).`);
  }
  const serve = staticFiles(config.dist);
  let port = config.port;
  const capture = config.capture ? await captureSupport() : undefined;
  const allowedOrigins = () => originsFor(config.host, port, config.origins);
  const metrics = createMetrics();
  const sandbox = createSandbox({ allowedOrigins, capture, limits, metrics, ...(runtime.scheduler === undefined ? {} : { scheduler: runtime.scheduler }) });
  metrics.observe({ sessions: () => sandbox.sessions().size, maxSessions: limits.maxSessions });
  const metricsText = runtime.clusterMetrics ?? metrics.text;
  const hostAllowed = (request: IncomingMessage) => {
    const host = request.headers.host?.toLowerCase();
    return host !== undefined && hostsOf(allowedOrigins()).has(host);
  };
  const misdirected = `this playground answers only to ${[...hostsOf(allowedOrigins())].join(', ')}; start it with --origin for another name\n`;

  function serveMetrics(response: ServerResponse): void {
    metricsText().then(
      (text) => response.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).end(text),
      (error: unknown) => fail(response, error),
    );
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = requestPath(request.url);
    if (!PROBE_PATHS.has(path) && !hostAllowed(request)) return plainResponse(response, 421, misdirected);
    if (path === '/healthz') return plainResponse(response, 200, 'ok\n');
    if (path === '/metrics' && config.metricsPort === undefined) return serveMetrics(response);
    // /readyz is for load balancers (503 when full); a page asks the sandbox path itself, which
    // answers 200 either way so the browser logs no failed request.
    if (path === '/readyz' || path === SANDBOX_PATH) {
      const readiness = sandbox.readiness();
      const status = readiness.ready || path === SANDBOX_PATH ? 200 : 503;
      response
        .writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(JSON.stringify(readiness));
      return;
    }
    serve(request, response).catch((error: unknown) => fail(response, error));
  }

  function fail(response: ServerResponse, error: unknown): void {
    reportFailure('an HTTP request', error);
    if (!response.headersSent) plainResponse(response, 500, 'internal error\n');
    else response.destroy();
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!hostAllowed(request)) {
      if (requestPath(request.url) === SANDBOX_PATH) metrics.upgradeRefused('host');
      socket.end(`HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(misdirected)}\r\n\r\n${misdirected}`);
      return;
    }
    if (!sandbox.handleUpgrade(request, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  }

  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(HTTP_TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
    },
    (request, response) => {
      // Every handler that touches input runs under a guard: a failure ends that request, not the process.
      try {
        handleRequest(request, response);
      } catch (error) {
        fail(response, error);
      }
    },
  );
  http.maxConnections = limits.maxHttpConnections;
  http.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET;
  http.on('clientError', (_error, socket) => socket.destroy());
  http.on('upgrade', (request, socket, head) => {
    try {
      handleUpgrade(request, socket, head);
    } catch (error) {
      reportFailure('an HTTP upgrade', error);
      socket.destroy();
    }
  });
  port = await listenOn(http, config.port, config.host, config);
  // Only metrics on this one, so it needs neither the Host check nor the site's caps.
  const metricsServer =
    config.metricsPort === undefined || runtime.clusterMetrics !== undefined
      ? undefined
      : createServer((request, response) => {
          if (requestPath(request.url) === '/metrics') serveMetrics(response);
          else plainResponse(response, 404, 'only /metrics here\n');
        });
  let metricsPort: number | undefined;
  if (metricsServer !== undefined && config.metricsPort !== undefined) {
    try {
      metricsPort = await listenOn(metricsServer, config.metricsPort, config.metricsHost ?? DEFAULT_HOST, config);
    } catch (error) {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      throw error;
    }
  }
  return {
    url: urlFor(config.host, port),
    port,
    http,
    metricsPort,
    sandbox,
    capture,
    async close() {
      await sandbox.close(CLOSE.goingAway, 'server shutting down');
      http.closeAllConnections();
      metricsServer?.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => (metricsServer === undefined ? resolve() : metricsServer.close(() => resolve()))),
      ]);
    },
  };
}
