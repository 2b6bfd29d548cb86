import { readFile } from 'node:fs/promises';
import { parseProcNetTcp, type KernelSocket } from './proc-net-tcp.ts';

/** Every TCP socket the kernel lists, or an empty list where /proc/net/tcp does not exist. */
export async function readKernelSockets(): Promise<KernelSocket[]> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const [v4, v6] = await Promise.all([read('/proc/net/tcp'), read('/proc/net/tcp6')]);
  return [...parseProcNetTcp(v4), ...parseProcNetTcp(v6, true)];
}
