import { readFile } from 'node:fs/promises';
import { parseProcNetTcp, type KernelSocket } from './proc-net-tcp.ts';

/** Every TCP socket the kernel lists, or an empty list where /proc/net/tcp does not exist. */
export async function readKernelSockets(): Promise<KernelSocket[]> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const [v4, v6] = await Promise.all([read('/proc/net/tcp'), read('/proc/net/tcp6')]);
  return [...parseProcNetTcp(v4), ...parseProcNetTcp(v6, true)];
}

/**
 * The kernel's TCP table, shared by every session of a process. Reading it costs file descriptors,
 * 64 KiB buffers and a walk of every socket on the machine, so however many sessions ask it is read
 * at most once per `ttlMs`, and callers asking at the same time share one read. A caller can ask
 * for a table read after a given instant (its own socket just closed); it then waits for the next
 * read rather than being shown an older one.
 */
export class KernelSocketTable {
  readonly #read: () => Promise<KernelSocket[]>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** The latest read: when it started, and its rows once it ends. */
  #latest: { startedAt: number; rows: Promise<KernelSocket[]> } | undefined;
  /** How many times the table was actually read: what the sharing saves is measurable. */
  reads = 0;

  constructor(options: { ttlMs: number; read?: () => Promise<KernelSocket[]>; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#read = options.read ?? readKernelSockets;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The table as read at or after `notBefore` (a performance.now() instant). */
  async rows(notBefore = Number.NEGATIVE_INFINITY): Promise<KernelSocket[]> {
    for (;;) {
      const latest = this.#latest;
      const now = this.#now();
      if (latest === undefined || now - latest.startedAt >= this.#ttlMs) return this.#start(now);
      if (latest.startedAt >= notBefore) return latest.rows;
      await new Promise((resolve) => setTimeout(resolve, this.#ttlMs - (now - latest.startedAt)));
    }
  }

  #start(now: number): Promise<KernelSocket[]> {
    this.reads += 1;
    const rows = this.#read().catch((): KernelSocket[] => []);
    this.#latest = { startedAt: now, rows };
    return rows;
  }
}
