import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureFilter } from './capture-filter.ts';
import {
  CAPTURE_KILL_GRACE_MS,
  CAPTURE_PROBE_MS,
  CAPTURE_PROBE_TIMEOUT_MS,
  CAPTURE_SNAPLEN,
  STDERR_TAIL_CHARS,
} from '../limits.ts';
import { parseTcpPacket, type ParsedTcp } from './packet-parser.ts';
import { createPcapStream, type PcapRecord } from './pcap-parser.ts';
import { summarizeStderr, whyCaptureFailed } from './tcpdump-stderr.ts';
import { reportFailure } from '../failures.ts';

export type CaptureSupport = { ok: true; path: string } | { ok: false; reason: string };

export type CaptureOptions = {
  /** The only ports captured: the session's own servers. */
  ports: readonly number[];
  interface?: 'lo';
  /** The tcpdump that captureSupport() found; PATH is searched otherwise. */
  tcpdumpPath?: string;
  /** A TCP segment on one of the ports, with its capture time in microseconds since the Unix epoch. */
  onSegment(segment: ParsedTcp, timestampMicros: number): void;
  /** The capture has ended on its own; called at most once, and never after stop(). */
  onError(message: string): void;
  /** tcpdump is listening: segments from now on are captured. */
  onReady(): void;
};

export type Capture = {
  /** Ends the capture: SIGTERM, then SIGKILL if tcpdump lingers. No callback runs afterwards. */
  stop(): void;
  /** Settles once tcpdump has exited and its pipes are closed. */
  readonly exited: Promise<void>;
};

/** Searched after PATH: tcpdump lives in an sbin that a non-root PATH often lacks. */
const FALLBACK_DIRECTORIES = ['/usr/sbin', '/usr/bin'];

/** Nothing on loopback uses port 0, so the probe proves it may capture while capturing nothing. */
const PROBE_FILTER = 'tcp and port 0';

const NOT_INSTALLED = 'Packet capture is not available here: tcpdump is not installed.';

function tcpdumpArguments(networkInterface: string, filter: string): string[] {
  // --immediate-mode hands over each packet as it arrives; otherwise libpcap holds packets for up
  // to a second, so the diagram would lag and a stopped capture would lose what was held.
  return ['-i', networkInterface, '--immediate-mode', '-U', '-n', '-s', String(CAPTURE_SNAPLEN), '-w', '-', filter];
}

async function findTcpdump(): Promise<string | undefined> {
  // Relative PATH entries are skipped: a tcpdump in the working directory is not the system's.
  const directories = [...(process.env.PATH ?? '').split(delimiter), ...FALLBACK_DIRECTORIES].filter(isAbsolute);
  for (const directory of new Set(directories)) {
    const candidate = join(directory, 'tcpdump');
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}

/** The guard that makes tcpdump die with this process, however it dies: see the script. */
const GUARD = fileURLToPath(new URL('./tcpdump-guard.sh', import.meta.url));

/** What the guard exits with when it cannot run tcpdump at all, as a shell does. */
const NOT_FOUND_STATUS = 127;

let running = 0;

/** tcpdump processes (each under its guard) this process has started and not yet seen exit: what /metrics reports. */
export function runningCaptures(): number {
  return running;
}

/**
 * Starts tcpdump under the guard. Its standard input is the pipe the guard watches; closing it,
 * or this process ending, stops tcpdump.
 */
function spawnGuarded(tcpdumpPath: string, args: string[], stdout: 'pipe' | 'ignore'): ChildProcess {
  const child = spawn('/bin/sh', [GUARD, String(CAPTURE_KILL_GRACE_MS / 1000), tcpdumpPath, ...args], {
    stdio: ['pipe', stdout, 'pipe'],
  });
  running += 1;
  child.once('close', () => (running -= 1));
  return child;
}

function terminate(child: ChildProcess): void {
  child.stdin?.destroy();
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // The guard sends tcpdump SIGKILL after the grace itself; this is for a guard that is stuck.
  const timer = setTimeout(() => child.kill('SIGKILL'), 2 * CAPTURE_KILL_GRACE_MS);
  child.once('exit', () => clearTimeout(timer));
}

function spawnFailure(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return NOT_INSTALLED;
  if (error.code === 'EACCES') return 'Packet capture is not available here: this user may not run tcpdump.';
  return `Packet capture is not available here: tcpdump could not be started (${error.code ?? error.message}).`;
}

/**
 * Whether real packets can be captured on loopback. The honest test is to try: tcpdump is started
 * on lo and must still be running a moment after it says it is listening. Resolves only once the
 * probe's tcpdump has exited.
 */
export async function captureSupport(): Promise<CaptureSupport> {
  const path = await findTcpdump();
  if (path === undefined) return { ok: false, reason: NOT_INSTALLED };
  return new Promise((resolve) => {
    const child = spawnGuarded(path, tcpdumpArguments('lo', PROBE_FILTER), 'ignore');
    let stderr = '';
    let verdict: CaptureSupport | undefined;
    const settle = (result: CaptureSupport) => {
      verdict ??= result;
      terminate(child);
    };
    const timers = [
      setTimeout(
        () => settle({ ok: false, reason: 'Packet capture is not available here: tcpdump did not start listening in time.' }),
        CAPTURE_PROBE_TIMEOUT_MS,
      ),
    ];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
      if (timers.length === 1 && stderr.includes('listening on')) {
        timers.push(setTimeout(() => settle({ ok: true, path }), CAPTURE_PROBE_MS));
      }
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      verdict ??= { ok: false, reason: spawnFailure(error) };
    });
    child.once('close', () => {
      child.stdin?.destroy();
      for (const timer of timers) clearTimeout(timer);
      resolve(verdict ?? { ok: false, reason: whyCaptureFailed(stderr) });
    });
  });
}

/**
 * Captures the TCP segments of the given loopback ports with tcpdump, parsing its pcap output as it
 * streams. The filter is built from the validated port numbers alone and passed as one argument,
 * never through a shell; invalid ports throw before anything is started.
 */
export function startCapture(options: CaptureOptions): Capture {
  const filter = captureFilter(options.ports);
  const child = spawnGuarded(options.tcpdumpPath ?? 'tcpdump', tcpdumpArguments(options.interface ?? 'lo', filter), 'pipe');
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stream = createPcapStream();
  let stderr = '';
  let ready = false;
  let finished = false;

  const fail = (message: string) => {
    if (finished) return;
    finished = true;
    terminate(child);
    options.onError(message);
  };

  child.stdout?.on('data', (chunk: Buffer) => {
    if (finished) return;
    let records: PcapRecord[];
    try {
      records = stream.push(chunk);
    } catch (error) {
      fail(`Packet capture stopped: ${error instanceof Error ? error.message : String(error)}.`);
      return;
    }
    for (const record of records) {
      if (finished) return;
      // The packets are whatever reached loopback: a parser failure ends this capture, not the process.
      try {
        const segment = parseTcpPacket(record.linkType, record.data);
        // An unreadable frame is skipped rather than ending the capture: the next one may be fine.
        if (segment === undefined || 'error' in segment) continue;
        options.onSegment(segment, record.timestampMicros);
      } catch (error) {
        reportFailure('a captured packet', error);
        fail('Packet capture stopped: a packet could not be read.');
        return;
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
    if (!ready && stderr.includes('listening on')) {
      ready = true;
      if (!finished) options.onReady();
    }
  });
  child.once('error', (error: NodeJS.ErrnoException) => fail(spawnFailure(error)));
  child.once('close', (code, signal) => {
    child.stdin?.destroy();
    if (code === NOT_FOUND_STATUS && !ready) return fail(NOT_INSTALLED);
    const how = signal === null ? `with code ${code}` : `on ${signal}`;
    const said = summarizeStderr(stderr);
    fail(`Packet capture stopped: tcpdump exited ${how}${said === '' ? '' : ` (${said})`}.`);
  });

  return {
    stop() {
      finished = true;
      terminate(child);
    },
    exited,
  };
}
