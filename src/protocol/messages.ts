import { z } from 'zod';
import { socketAddress, socketEvent, socketOrigin, socketRole } from './events.ts';
import { capturedSegment, captureState } from './segments.ts';

/** Bumped whenever a message changes shape; the hello carries it. */
export const PROTOCOL_VERSION = 2;

/** Path of the sandbox WebSocket on the site's own origin. */
export const SANDBOX_PATH = '/sandbox';

/** The servers a session owns; the only places the sandbox will ever connect to. */
export const TARGETS = ['echo'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Largest payload of one `send`, in UTF-8 bytes. */
export const MAX_SEND_BYTES = 4096;

const requestId = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31)
  .describe('Chosen by the browser; echoed in the reply.');
const socketId = z
  .string()
  .regex(/^s\d{1,6}$/, 'a socket id looks like "s3"')
  .describe('A socket id from an event.');

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), version: z.number().int().describe('The protocol version the browser speaks.') }),
  z.object({
    type: z.literal('connect'),
    id: requestId,
    target: z.string().max(100).describe('A sandbox server by name; never a host or port.'),
  }),
  z.object({
    type: z.literal('send'),
    id: requestId,
    socket: socketId,
    data: z
      .string()
      .refine((data) => utf8Length(data) <= MAX_SEND_BYTES, {
        message: `data is larger than ${MAX_SEND_BYTES} bytes; send it in smaller pieces`,
      })
      .describe('Text to write to the socket, sent as UTF-8.'),
  }),
  z.object({ type: z.literal('shutdown'), id: requestId, socket: socketId }),
  z.object({ type: z.literal('close'), id: requestId, socket: socketId }),
  z.object({ type: z.literal('sockets'), id: requestId }),
  z
    .object({ type: z.literal('presence') })
    .describe('Sent while the page is visible, so a learner reading a long lesson is not closed for idleness.'),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export const serverInfo = z.object({
  name: z.string(),
  address: socketAddress,
  state: z.enum(['listening', 'closed']),
});
export type ServerInfo = z.infer<typeof serverInfo>;

export const socketInfo = z.object({
  socket: z.string().describe('Socket id, or "-" for a connection only the kernel still holds (TIME-WAIT).'),
  role: socketRole,
  origin: socketOrigin,
  server: z.string().optional(),
  peer: z
    .string()
    .optional()
    .describe('For a server socket: the terminal socket at the other end, or "outside" for a client outside the browser.'),
  local: socketAddress.optional(),
  remote: socketAddress.optional(),
  state: z.string().describe('TCP state as the kernel reports it (ss names: LISTEN, ESTAB, FIN-WAIT-2, …).'),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
});
export type SocketInfo = z.infer<typeof socketInfo>;

export const errorCode = z.enum([
  'bad-json',
  'bad-message',
  'version',
  'refused-target',
  'no-such-socket',
  'socket-closed',
  'limit',
  'rate',
  'socket-error',
]);
export type ErrorCode = z.infer<typeof errorCode>;

/** Something the sandbox did on its own that the learner should hear about. */
export const noticeCode = z.enum([
  'outside-refused',
  'outside-idle',
  'outside-bytes',
]);
export type NoticeCode = z.infer<typeof noticeCode>;

export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    version: z.number().int(),
    session: z.string(),
    servers: z.array(serverInfo),
    limits: z.object({ maxSendBytes: z.number().int(), maxSockets: z.number().int() }),
    capture: captureState,
  }),
  z.object({ type: z.literal('capture'), capture: captureState }),
  z.object({ type: z.literal('segments'), segments: z.array(capturedSegment) }),
  z.object({ type: z.literal('events'), events: z.array(socketEvent) }),
  z.object({
    type: z.literal('opened'),
    id: requestId,
    socket: z.string(),
    local: socketAddress,
    remote: socketAddress,
  }),
  z.object({ type: z.literal('ok'), id: requestId }),
  z.object({
    type: z.literal('received'),
    socket: z.string(),
    data: z.string().describe('What a terminal socket read, decoded as UTF-8, for the terminal to print.'),
  }),
  z.object({
    type: z.literal('sockets'),
    id: requestId,
    sockets: z.array(socketInfo),
    more: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Rows left out because the reply is capped; the terminal says "and N more".'),
  }),
  z.object({
    type: z.literal('notice'),
    code: noticeCode,
    socket: z.string().optional().describe('The socket it concerns, when it concerns one.'),
    message: z.string().describe('The same news as a sentence for the terminal.'),
  }),
  z.object({
    type: z.literal('error'),
    id: requestId.optional().describe('The request this answers, when the request got that far.'),
    code: errorCode,
    message: z.string(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** One readable sentence from the first zod issues, e.g. `data: data is larger than 4096 bytes`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Longest piece of a browser's own text quoted back in an error. */
const QUOTE_CHARS = 40;

/**
 * Names a `type` that is not one of ours without serializing it: the value comes from the browser
 * and may be nested thousands deep, which JSON.stringify would recurse through and throw on.
 */
function describeType(type: unknown): string {
  if (typeof type === 'string') {
    const quoted = JSON.stringify(type.slice(0, QUOTE_CHARS));
    return type.length > QUOTE_CHARS ? `${quoted.slice(0, -1)}…"` : quoted;
  }
  if (type === undefined) return '(missing)';
  if (type === null) return 'null';
  if (Array.isArray(type)) return '(an array)';
  return `(a ${typeof type})`;
}

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string; id?: number };

/** Turns one raw WebSocket frame into a validated message or a specific, friendly error. */
export function parseClientMessage(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'bad-json', message: 'message is not valid JSON' };
  }
  const id = typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'number' ? value.id : undefined;
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  const known = clientMessage.options.map((option) => option.shape.type.value);
  if (typeof type !== 'string' || !(known as string[]).includes(type)) {
    return {
      ok: false,
      code: 'bad-message',
      message: `unknown message type ${describeType(type)}; expected one of ${known.join(', ')}`,
      id,
    };
  }
  const parsed = clientMessage.safeParse(value);
  if (!parsed.success)
    return { ok: false, code: 'bad-message', message: `bad "${type}" message: ${describeIssues(parsed.error)}`, id };
  return { ok: true, message: parsed.data };
}

/** Explains why a target is refused, naming what is allowed. */
export function refusedTargetMessage(target: string): string {
  return `refused "${target}": the sandbox connects only to its own servers (${TARGETS.join(', ')}), never to a host or port`;
}

export function isTargetName(target: string): target is TargetName {
  return (TARGETS as readonly string[]).includes(target);
}
