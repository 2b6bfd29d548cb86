import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParsedTcp } from '../../server/capture/packet-parser.ts';
import { captureSupport, startCapture, type Capture } from '../../server/capture/tcpdump.ts';
import { descendantsNamed } from './processes.ts';

/** Real tcpdump on lo: runs where capture is permitted (CI runs as root with tcpdump installed). */
const support = await captureSupport();
const skipReason = support.ok ? '' : ` — skipped: ${support.reason}`;

const until = async (check: () => boolean, what: string, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Children of this process whose command is tcpdump, read from /proc. */
const tcpdumpChildren = (): number[] => descendantsNamed('tcpdump');

/** A server that reads everything and closes its side when the client closes its own. */
async function sinkServer(): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => (received += text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received: () => received };
}

async function connected(port: number): Promise<Socket> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', resolve);
  });
  return socket;
}

async function closed(socket: Socket): Promise<void> {
  if (socket.closed) return;
  await new Promise((resolve) => socket.once('close', resolve));
}

const plus = (seq: number, n: number) => (seq + n) % 2 ** 32;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!support.ok)(`capture on lo with the real tcpdump${skipReason}`, () => {
  const tcpdumpPath = support.ok ? support.path : '';

  function capture(ports: number[]) {
    const run = { segments: [] as { segment: ParsedTcp; micros: number }[], errors: [] as string[], ready: false };
    const handle: Capture = startCapture({
      ports,
      tcpdumpPath,
      onSegment: (segment, micros) => run.segments.push({ segment, micros }),
      onError: (message) => run.errors.push(message),
      onReady: () => (run.ready = true),
    });
    cleanups.push(async () => {
      handle.stop();
      await handle.exited;
    });
    return Object.assign(run, { handle });
  }

  it('captures the handshake, the data and the close on its port, and nothing on another port', async () => {
    const echo = await sinkServer();
    const other = await sinkServer();
    cleanups.push(
      () => void echo.server.close(),
      () => void other.server.close(),
    );
    const startedMicros = Date.now() * 1000;
    const run = capture([echo.port]);
    await until(() => run.ready, 'tcpdump to listen');

    const bystander = await connected(other.port);
    bystander.write('not for capture');
    const client = await connected(echo.port);
    const clientAddress = `127.0.0.1:${client.localPort}`;
    const serverAddress = `127.0.0.1:${echo.port}`;
    client.write('hi');
    await until(() => echo.received() === 'hi', 'the server to read "hi"');
    client.end();
    bystander.end();
    await Promise.all([closed(client), closed(bystander)]);

    const segments = () => run.segments.map(({ segment }) => segment);
    const serverFin = () => segments().find((segment) => segment.src === serverAddress && segment.flags.FIN);
    await until(() => {
      const fin = serverFin();
      return fin !== undefined && segments().some((segment) => segment.src === clientAddress && segment.ack === plus(fin.seq, 1));
    }, 'the last ACK of the close');
    run.handle.stop();
    await run.handle.exited;

    expect(run.errors).toEqual([]);
    const all = segments();
    for (const segment of all) {
      expect([segment.src, segment.dst].sort()).toEqual([clientAddress, serverAddress].sort());
    }
    expect(all.some((segment) => segment.src.endsWith(`:${other.port}`) || segment.dst.endsWith(`:${other.port}`))).toBe(false);

    const fromClient = all.filter((segment) => segment.src === clientAddress);
    const fromServer = all.filter((segment) => segment.src === serverAddress);
    const syn = fromClient.find((segment) => segment.flags.SYN);
    const synAck = fromServer.find((segment) => segment.flags.SYN);
    if (syn === undefined || synAck === undefined) throw new Error('no handshake captured');
    expect(syn.flags).toEqual({ SYN: true, ACK: false, FIN: false, RST: false, PSH: false });
    expect(syn.options.mss).toBeGreaterThan(0);
    expect(synAck.flags).toMatchObject({ SYN: true, ACK: true });
    expect(synAck.ack).toBe(plus(syn.seq, 1));

    const ack = fromClient.find((segment) => !segment.flags.SYN && segment.len === 0 && segment.ack === plus(synAck.seq, 1));
    expect(ack).toMatchObject({ seq: plus(syn.seq, 1), flags: { SYN: false, ACK: true, FIN: false, RST: false } });

    const data = fromClient.find((segment) => segment.len > 0);
    expect(data).toMatchObject({
      seq: plus(syn.seq, 1),
      ack: plus(synAck.seq, 1),
      len: 2,
      preview: 'hi',
      flags: { PSH: true, ACK: true },
    });

    const clientFin = fromClient.find((segment) => segment.flags.FIN);
    expect(clientFin).toMatchObject({ seq: plus(syn.seq, 3), len: 0 });
    expect(serverFin()).toMatchObject({ seq: plus(synAck.seq, 1), ack: plus(syn.seq, 4) });

    const times = run.segments.map(({ micros }) => micros);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThan(startedMicros - 1_000_000);
    expect(times.at(-1)).toBeLessThan(Date.now() * 1000 + 1_000_000);
  });

  it('stop() leaves no tcpdump child and no descriptor behind, and reports nothing', async () => {
    const fds = readdirSync('/proc/self/fd').length;
    const run = capture([40999]);
    await until(() => run.ready, 'tcpdump to listen');
    expect(tcpdumpChildren()).toHaveLength(1);
    run.handle.stop();
    await run.handle.exited;
    expect(tcpdumpChildren()).toEqual([]);
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fds);
    expect(run.errors).toEqual([]);
  });
});

const canDropPrivileges = support.ok && process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');

describe.skipIf(!canDropPrivileges)('captureSupport for a user without CAP_NET_RAW', () => {
  it('says in one sentence that capture is not permitted', async () => {
    const module = fileURLToPath(new URL('../../server/capture/tcpdump.ts', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(async (m) => console.log(JSON.stringify(await m.captureSupport())))`;
    const child = spawn(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
        process.execPath,
        '-e',
        script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, output).toBe(0);
    expect(JSON.parse(output)).toEqual({
      ok: false,
      reason: 'Packet capture is not permitted here: tcpdump needs root or the CAP_NET_RAW capability.',
    });
  });
});
