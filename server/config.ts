import { parseArgs } from 'node:util';
import { z } from 'zod';

export const DEFAULT_PORT = 4321;
export const DEFAULT_HOST = '127.0.0.1';

export const playgroundConfig = z.object({
  port: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 65535')
    .max(65535, 'must be from 0 to 65535')
    .describe('TCP port for the site and the sandbox WebSocket; 0 picks a free one.'),
  host: z
    .string()
    .min(1, 'must not be empty')
    .describe('Address to listen on. Loopback by default: the sandbox is for the person at this machine.'),
  origins: z
    .array(z.url({ message: 'must be an origin such as http://example.test:4321' }))
    .describe('Extra origins allowed to open the sandbox, e.g. behind a proxy.'),
  dist: z.string().describe('The built site to serve.'),
  capture: z.boolean().describe("Capture the sandbox's own loopback segments with tcpdump, where permitted."),
});
export type PlaygroundConfig = z.infer<typeof playgroundConfig>;

export const USAGE = `Usage: npm start -- [options]   (or: node server/main.ts [options])

Options:
  --port N        port for the site and the sandbox (env PORT; default ${DEFAULT_PORT}; 0 = any free port)
  --host ADDR     address to listen on (env HOST; default ${DEFAULT_HOST})
  --origin URL    another origin allowed to open the sandbox; repeatable
  --dist DIR      the built site to serve (default dist)
  --capture       draw real captured segments (tcpdump on loopback; needs root or CAP_NET_RAW)
  --help          this text`;

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
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path[0] === 'origins' ? 'origin' : String(issue?.path[0] ?? '');
    return { ok: false, message: `invalid --${option}: ${issue?.message ?? 'not understood'}` };
  }
  return { ok: true, config: parsed.data };
}
