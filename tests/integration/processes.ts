import { readdirSync, readFileSync } from 'node:fs';

type ProcessEntry = { pid: number; command: string; parent: number };

function processes(): ProcessEntry[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return [{ pid: Number(pid), command, parent }];
      } catch {
        return [];
      }
    });
}

/** Processes that descend from `ancestor`, whatever their name (Node names its main thread, so a worker's may be MainThread). */
export function descendants(ancestor: number): number[] {
  return descendantsNamed(undefined, ancestor);
}

/** Processes named `command` that descend from `ancestor` (tcpdump runs under a guard shell, so as a grandchild). */
export function descendantsNamed(command: string | undefined, ancestor: number = process.pid): number[] {
  const all = processes();
  const parentOf = new Map(all.map((entry) => [entry.pid, entry.parent]));
  const descends = (pid: number): boolean => {
    for (let at = parentOf.get(pid); at !== undefined && at > 1; at = parentOf.get(at)) if (at === ancestor) return true;
    return false;
  };
  return all.filter((entry) => (command === undefined || entry.command === command) && descends(entry.pid)).map((entry) => entry.pid);
}

/** Whether a process is alive and not merely a zombie waiting to be reaped. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
