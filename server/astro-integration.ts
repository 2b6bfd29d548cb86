import type { AstroIntegration } from 'astro';
import type { AddressInfo } from 'node:net';
import { createSandbox, originsFor, type Sandbox } from './sandbox.ts';

/** Attaches the sandbox WebSocket to `astro dev`, so the dev server works like `npm start`. */
export default function sandboxIntegration(): AstroIntegration {
  let sandbox: Sandbox | undefined;
  return {
    name: 'socket-playground-sandbox',
    hooks: {
      'astro:server:setup': ({ server, logger }) => {
        const http = server.httpServer;
        if (http === null) {
          logger.warn('no HTTP server to attach the sandbox to; the terminal will not connect');
          return;
        }
        sandbox = createSandbox({
          allowedOrigins: () => {
            const address = http.address() as AddressInfo | null;
            return address === null ? new Set() : originsFor(address.address, address.port);
          },
        });
        const current = sandbox;
        http.on('upgrade', (request, socket, head) => {
          current.handleUpgrade(request, socket, head);
        });
        logger.info('sandbox attached at /sandbox');
      },
      'astro:server:done': async () => {
        await sandbox?.close();
      },
    },
  };
}
