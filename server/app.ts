import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { PlaygroundConfig } from './config.ts';
import { CLOSE } from './limits.ts';
import { createSandbox, originsFor, type Sandbox } from './sandbox.ts';
import { staticFiles } from './static-files.ts';
import { captureSupport, type CaptureSupport } from './capture/tcpdump.ts';

export type Playground = {
  url: string;
  port: number;
  http: Server;
  sandbox: Sandbox;
  /** Whether --capture is in force, or why not; undefined when it was not asked for. */
  capture: CaptureSupport | undefined;
  /** Closes every session with 1001, then the HTTP server. */
  close: () => Promise<void>;
};

/** A start-up failure with a message meant for the person at the terminal, not a stack trace. */
export class StartError extends Error {}

function describeListenError(error: NodeJS.ErrnoException, config: PlaygroundConfig): string {
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

/** The built site and the sandbox WebSocket on one port. */
export async function startPlayground(config: PlaygroundConfig): Promise<Playground> {
  if (!existsSync(join(config.dist, 'index.html'))) {
    throw new StartError(`no built site in ${config.dist}/. Run "npm run build" first (npm start does it for you).`);
  }
  const serve = staticFiles(config.dist);
  const http = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end('internal error\n');
      else response.destroy();
    });
  });
  http.on('clientError', (_error, socket) => socket.destroy());
  let port = config.port;
  const capture = config.capture ? await captureSupport() : undefined;
  const sandbox = createSandbox({ allowedOrigins: () => originsFor(config.host, port, config.origins), capture });
  http.on('upgrade', (request, socket, head) => {
    if (!sandbox.handleUpgrade(request, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => reject(new StartError(describeListenError(error, config))));
    http.listen(config.port, config.host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: urlFor(config.host, port),
    port,
    http,
    sandbox,
    capture,
    async close() {
      await sandbox.close(CLOSE.goingAway, 'server shutting down');
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
