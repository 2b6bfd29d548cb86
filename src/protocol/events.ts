import { z } from 'zod';

/** "127.0.0.1:40211" — always IPv4 or bracketed IPv6 with a port. */
export const socketAddress = z.string().min(3).max(60).describe('An address as host:port.');

export const socketRole = z
  .enum(['listener', 'client', 'server'])
  .describe('listener: a listening socket; client: a socket that called connect(); server: a socket returned by accept().');

export const socketOrigin = z
  .enum(['sandbox', 'terminal'])
  .describe("Who opened it: the sandbox's own servers (listeners and the sockets they accept) or the learner's terminal.");

export const eventKind = z
  .enum(['listen', 'connect', 'connected', 'accept', 'read', 'write', 'shutdown', 'fin', 'close', 'error'])
  .describe(
    [
      'listen: listen() succeeded',
      'connect: connect() was called (the SYN leaves now)',
      'connected: connect() completed (SYN-ACK received, ACK sent)',
      'accept: accept() returned a new connected socket',
      'read: recv() returned bytes',
      'write: send() handed bytes to the kernel',
      'shutdown: this side shut its write half (its FIN leaves)',
      "fin: the peer's FIN arrived: recv() returns b''",
      'close: the socket is closed and its descriptor released',
      'error: the kernel reported an error on the socket',
    ].join('; '),
  );

/**
 * One thing that happened to one real socket in the sandbox. The simulators emit the same
 * shape, so one renderer draws live, recorded and simulated sessions.
 */
export const socketEvent = z.object({
  seq: z.number().int().nonnegative().describe('Position in the session, from 0; strictly increasing.'),
  t: z.number().nonnegative().describe('Monotonic time in microseconds since the session started.'),
  kind: eventKind,
  socket: z.string().min(1).max(16).describe('Socket id, unique in the session, e.g. "s3".'),
  role: socketRole,
  origin: socketOrigin,
  server: z.string().max(16).optional().describe('Name of the sandbox server involved, e.g. "echo".'),
  local: socketAddress.optional(),
  remote: socketAddress.optional(),
  bytes: z.number().int().nonnegative().optional().describe('Byte count of a read or write.'),
  preview: z.string().max(80).optional().describe('Short escaped preview of the bytes.'),
  error: z
    .object({ code: z.string().max(32), message: z.string().max(200) })
    .optional()
    .describe('The errno name and message of an error event.'),
});

export type SocketEvent = z.infer<typeof socketEvent>;
export type EventKind = z.infer<typeof eventKind>;
export type SocketOrigin = z.infer<typeof socketOrigin>;
export type SocketRole = z.infer<typeof socketRole>;
