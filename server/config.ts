import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MAX_SESSIONS, MAX_WORKERS } from './limits.ts';

export const DEFAULT_PORT = 4321;
export const DEFAULT_HOST = '127.0.0.1';

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be from 0 to 65535')
  .max(65535, 'must be from 0 to 65535');

const WORKERS_MESSAGE = `must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per core)`;

export const playgroundConfig = z.object({
  port: port.describe('TCP port for the site and the sandbox WebSocket; 0 picks a free one.'),
  host: z
    .string()
    .min(1, 'must not be empty')
    .describe('Address to listen on. Loopback by default: the sandbox is for the person at this machine.'),
  origins: z
    .array(z.url({ message: 'must be an origin such as http://example.test:4321' }))
    .describe('Extra origins allowed to open the sandbox, e.g. behind a proxy.'),
  dist: z.string().describe('The built site to serve.'),
  capture: z.boolean().describe("Capture the sandbox's own loopback segments with tcpdump, where permitted."),
  workers: z
    .union(
      [
        z.literal('auto').transform(() => Math.min(availableParallelism(), MAX_WORKERS)),
        z.coerce.number().int(WORKERS_MESSAGE).min(1, WORKERS_MESSAGE).max(MAX_WORKERS, WORKERS_MESSAGE),
      ],
      { error: WORKERS_MESSAGE },
    )
    .describe('Processes serving the one port (node:cluster); each holds its own sessions and enforces its own caps.'),
  maxSessions: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .describe('Sessions one process holds; the next learner gets HTTP 503 and /readyz turns 503.'),
  metricsPort: port
    .optional()
    .describe('Serve GET /metrics on this port only, instead of on the site port; 0 picks a free one.'),
  metricsHost: z.string().min(1, 'must not be empty').describe('Address the --metrics-port server listens on.'),
});
export type PlaygroundConfig = z.infer<typeof playgroundConfig>;

/** What one playground process needs; the process-level options have defaults, so a test can leave them out. */
export type SiteConfig = Omit<PlaygroundConfig, 'workers' | 'maxSessions' | 'metricsHost'> &
  Partial<Pick<PlaygroundConfig, 'workers' | 'maxSessions' | 'metricsHost'>>;

export const USAGE = `Usage: npm start -- [options]   (or: node server/main.ts [options])

Options:
  --port N        port for the site and the sandbox (env PORT; default ${DEFAULT_PORT}; 0 = any free port)
  --host ADDR     address to listen on (env HOST; default ${DEFAULT_HOST})
  --origin URL    another origin allowed to open the sandbox; repeatable
  --dist DIR      the built site to serve (default dist)
  --capture       draw real captured segments (tcpdump on loopback; needs root or CAP_NET_RAW)
  --workers N     processes serving the port, each with its own sessions (default 1; auto = one per core)
  --max-sessions N  sessions per process before HTTP 503 (default ${MAX_SESSIONS})
  --metrics-port N  serve /metrics only on this port instead of the site's
  --metrics-host ADDR  address for --metrics-port (default ${DEFAULT_HOST})
  --help          this text`;

/** The command-line option a config field comes from, where the names differ. */
const OPTION_OF: Record<string, string> = { origins: 'origin', maxSessions: 'max-sessions', metricsPort: 'metrics-port', metricsHost: 'metrics-host' };

export type ConfigResult = { ok: true; config: PlaygroundConfig } | { ok: false; message: string; help?: boolean };

/** Flags win over the environment, which wins over the defaults. Errors name the option. */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        origin: { type: 'string', multiple: true },
        dist: { type: 'string' },
        capture: { type: 'boolean' },
        workers: { type: 'string' },
        'max-sessions': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (values.help === true) return { ok: false, message: USAGE, help: true };
  const parsed = playgroundConfig.safeParse({
    port: values.port ?? (env.PORT || undefined) ?? DEFAULT_PORT,
    host: values.host ?? (env.HOST || undefined) ?? DEFAULT_HOST,
    origins: values.origin ?? [],
    dist: values.dist ?? 'dist',
    capture: values.capture === true,
    workers: values.workers ?? 1,
    maxSessions: values['max-sessions'] ?? MAX_SESSIONS,
    metricsPort: values['metrics-port'],
    metricsHost: values['metrics-host'] ?? DEFAULT_HOST,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = OPTION_OF[String(issue?.path[0] ?? '')] ?? String(issue?.path[0] ?? '');
    return { ok: false, message: `invalid --${option}: ${issue?.message ?? 'not understood'}` };
  }
  return { ok: true, config: parsed.data };
}
