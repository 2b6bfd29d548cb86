import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CAPTURE_KILL_GRACE_MS } from '../../../../server/limits.ts';
import type { ParsedTcp } from '../../../../server/capture/packet-parser.ts';
import { captureSupport, startCapture, type Capture } from '../../../../server/capture/tcpdump.ts';

/**
 * These tests stand a shell script in for tcpdump, so the process handling is tested on any
 * machine; the real tcpdump is exercised in tests/integration/capture.integration.test.ts.
 */
const root = mkdtempSync(join(tmpdir(), 'fake-tcpdump-'));
const fixture = fileURLToPath(new URL('../../../fixtures/ipv4-echo.pcap', import.meta.url));
const LISTENING = `echo 'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 256 bytes' >&2`;
const PERMISSION = `echo "tcpdump: lo: You don't have permission to perform this capture on that device" >&2
echo '(socket: Operation not permitted)' >&2
exit 1`;

type Fake = { path: string; directory: string; args: () => string[]; pid: () => number };

let fakes = 0;
function fakeTcpdump(body: string): Fake {
  const directory = join(root, String(fakes++));
  mkdirSync(directory);
  const path = join(directory, 'tcpdump');
  const argsFile = join(directory, 'args');
  const pidFile = join(directory, 'pid');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\necho $$ > '${pidFile}'\n${body}\n`, { mode: 0o755 });
  return {
    path,
    directory,
    args: () => (existsSync(argsFile) ? readFileSync(argsFile, 'utf8').split('\n').slice(0, -1) : []),
    pid: () => Number(readFileSync(pidFile, 'utf8')),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const until = async (check: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

type Run = {
  handle: Capture;
  segments: { segment: ParsedTcp; micros: number }[];
  errors: string[];
  ready: number;
};

const running: Capture[] = [];
function capture(fake: Fake, ports: number[] = [40211]): Run {
  const recorded = { segments: [] as Run['segments'], errors: [] as string[], ready: 0 };
  const handle = startCapture({
    ports,
    tcpdumpPath: fake.path,
    onSegment: (segment, micros) => recorded.segments.push({ segment, micros }),
    onError: (message) => recorded.errors.push(message),
    onReady: () => (recorded.ready += 1),
  });
  running.push(handle);
  return Object.assign(recorded, { handle });
}

afterEach(async () => {
  for (const handle of running.splice(0)) {
    handle.stop();
    await handle.exited;
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('startCapture', () => {
  it('runs tcpdump on lo with the port filter as one argument, never through a shell', async () => {
    const fake = fakeTcpdump(`${LISTENING}\nexec sleep 30`);
    const run = capture(fake, [40211, 51234]);
    await until(() => run.ready === 1, 'ready');
    expect(fake.args()).toEqual([
      '-i',
      'lo',
      '--immediate-mode',
      '-U',
      '-n',
      '-s',
      '256',
      '-w',
      '-',
      'tcp and (port 40211 or port 51234)',
    ]);
  });

  it('turns the pcap it streams into segments, and stop() leaves no process or descriptor behind', async () => {
    const fds = readdirSync('/proc/self/fd').length;
    const fake = fakeTcpdump(`${LISTENING}\ncat '${fixture}'\nexec sleep 30`);
    const run = capture(fake);
    await until(() => run.segments.length === 10, 'ten segments');
    expect(run.ready).toBe(1);
    expect(run.segments[0]).toEqual({
      micros: 1795347281727787,
      segment: expect.objectContaining({ src: '127.0.0.1:55754', dst: '127.0.0.1:40211', seq: 2742587581 }),
    });
    expect(run.segments.map(({ segment }) => segment.len)).toEqual([0, 0, 0, 6, 0, 6, 0, 0, 0, 0]);
    const pid = fake.pid();
    expect(alive(pid)).toBe(true);
    run.handle.stop();
    await run.handle.exited;
    expect(alive(pid)).toBe(false);
    expect(run.errors).toEqual([]);
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fds);
  });

  it('ends the capture, not the process, when handling a packet throws', async () => {
    const fake = fakeTcpdump(`${LISTENING}\ncat '${fixture}'\nexec sleep 30`);
    const errors: string[] = [];
    const handle = startCapture({
      ports: [40211],
      tcpdumpPath: fake.path,
      onSegment: () => {
        throw new RangeError('a handler failed');
      },
      onError: (message) => errors.push(message),
      onReady: () => undefined,
    });
    running.push(handle);
    await until(() => errors.length > 0, 'the capture to stop');
    expect(errors).toEqual(['Packet capture stopped: a packet could not be read.']);
    await handle.exited;
    expect(alive(fake.pid())).toBe(false);
  });

  it('sends SIGKILL to a tcpdump that ignores SIGTERM', async () => {
    const fake = fakeTcpdump(`trap '' TERM\n${LISTENING}\nexec sleep 30`);
    const run = capture(fake);
    await until(() => run.ready === 1, 'ready');
    const pid = fake.pid();
    const stoppedAt = Date.now();
    run.handle.stop();
    run.handle.stop();
    await run.handle.exited;
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(CAPTURE_KILL_GRACE_MS - 50);
    expect(alive(pid)).toBe(false);
    expect(run.errors).toEqual([]);
  });

  it('reports a tcpdump that exits on its own once, with what it said', async () => {
    const run = capture(fakeTcpdump(PERMISSION));
    await run.handle.exited;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run.errors).toEqual([
      "Packet capture stopped: tcpdump exited with code 1 (tcpdump: lo: You don't have permission to perform this capture on that device).",
    ]);
    expect(run.ready).toBe(0);
  });

  it('drops the capture, and its tcpdump, when the output is not pcap', async () => {
    const fake = fakeTcpdump(`${LISTENING}\necho 'this is not pcap at all'\nexec sleep 30`);
    const run = capture(fake);
    await until(() => run.errors.length > 0, 'an error');
    await run.handle.exited;
    expect(run.errors).toEqual([
      'Packet capture stopped: not a pcap stream: it starts with 0x74686973, not the pcap magic a1b2c3d4 or a1b23c4d.',
    ]);
    expect(alive(fake.pid())).toBe(false);
  });

  it('drops the capture when a record claims more than 256 KiB, without buffering it', async () => {
    const stream = new Uint8Array(24 + 16);
    const view = new DataView(stream.buffer);
    view.setUint32(0, 0xa1b2c3d4, true);
    view.setUint16(4, 2, true);
    view.setUint32(20, 1, true);
    view.setUint32(24 + 8, 300_000, true);
    const file = join(root, 'huge-record.pcap');
    writeFileSync(file, stream);
    const run = capture(fakeTcpdump(`${LISTENING}\ncat '${file}'\nexec sleep 30`));
    await until(() => run.errors.length > 0, 'an error');
    expect(run.errors).toEqual(['Packet capture stopped: a pcap record claims 300000 bytes, more than the 262144 allowed.']);
    await run.handle.exited;
  });

  it('throws on an invalid port before starting anything', () => {
    const fake = fakeTcpdump(LISTENING);
    expect(() => capture(fake, [40211, 0])).toThrow('a capture port must be an integer from 1 to 65535, not 0');
    expect(() => capture(fake, [])).toThrow('a capture needs at least one port');
    expect(existsSync(join(fake.directory, 'args'))).toBe(false);
  });

  it('reports a tcpdump that cannot be started', async () => {
    const run = capture({ ...fakeTcpdump(''), path: join(root, 'no-such-tcpdump') });
    await run.handle.exited;
    expect(run.errors).toEqual(['Packet capture is not available here: tcpdump is not installed.']);
  });

  it('calls nothing after stop(), even for output already on its way', async () => {
    const run = capture(fakeTcpdump(`${LISTENING}\ncat '${fixture}'\nexit 3`));
    run.handle.stop();
    await run.handle.exited;
    expect(run.segments.length + run.errors.length).toBe(0);
  });
});

describe('captureSupport', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('says yes, with the path, when tcpdump keeps listening on lo; and leaves it stopped', async () => {
    const fake = fakeTcpdump(`${LISTENING}\nexec sleep 30`);
    process.env.PATH = `${fake.directory}:${path ?? ''}`;
    expect(await captureSupport()).toEqual({ ok: true, path: fake.path });
    expect(fake.args()).toEqual(['-i', 'lo', '--immediate-mode', '-U', '-n', '-s', '256', '-w', '-', 'tcp and port 0']);
    expect(alive(fake.pid())).toBe(false);
  });

  it('says why in one sentence when tcpdump may not capture', async () => {
    process.env.PATH = `${fakeTcpdump(PERMISSION).directory}:${path ?? ''}`;
    expect(await captureSupport()).toEqual({
      ok: false,
      reason: 'Packet capture is not permitted here: tcpdump needs root or the CAP_NET_RAW capability.',
    });
  });

  it('says no when tcpdump dies just after it starts listening', async () => {
    const fake = fakeTcpdump(`${LISTENING}\necho 'tcpdump: pcap_loop: The interface disappeared' >&2\nexit 1`);
    process.env.PATH = `${fake.directory}:${path ?? ''}`;
    expect(await captureSupport()).toEqual({
      ok: false,
      reason: 'Packet capture is not available here: tcpdump: pcap_loop: The interface disappeared.',
    });
  });

  it('skips relative PATH entries', async () => {
    const fake = fakeTcpdump(PERMISSION);
    const cwd = process.cwd();
    process.chdir(fake.directory);
    process.env.PATH = `.:${path ?? ''}`;
    try {
      const support = await captureSupport();
      if (support.ok) expect(support.path).not.toBe(fake.path);
      expect(existsSync(join(fake.directory, 'args'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });
});
