/**
 * `npm run bench`: figures, never pass/fail. Each comparison is measured side by side in this one
 * run and printed as a ratio, so the numbers mean the same on a slow machine as on a fast one.
 */
import { readFileSync } from 'node:fs';
import { buildRun, defaultSpec } from '../../src/client/tcp-run.ts';
import { scenarioById, step, type World } from '../../src/core/tcp/index.ts';
import type { SocketEvent } from '../../src/protocol/events.ts';
import { createPcapStream } from '../../server/capture/pcap-parser.ts';
import { parseTcpPacket } from '../../server/capture/packet-parser.ts';
import { buildSequenceModel } from '../../src/viz/sequence-model.ts';
import { buildTcpSequenceModel } from '../../src/viz/tcp-sequence-model.ts';

await import('./tcp.bench.ts');
await import('./loop.bench.ts');

const FRAME_MS = 1000 / 60;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function time(label: string, repeat: number, work: () => unknown): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) sink += work() === undefined ? 0 : 1;
  const perRun = (performance.now() - t0) / repeat;
  console.log(`  ${label}: ${fmt(perRun * 1000, 1)} µs per run (${sink} runs)`);
  return perRun;
}

// Stepping back in the stepper reads a kept world; the alternative is replaying the run from the start.
{
  const bulk = scenarioById('bulk-transfer');
  if (bulk === undefined) throw new Error('bulk-transfer scenario missing');
  const worlds: World[] = [bulk.create({ bytes: 3_000_000, seed: 3 })];
  while (worlds.length < 4000) {
    const next = step(worlds.at(-1) as World);
    if (next === worlds.at(-1)) break;
    worlds.push(next);
  }
  const target = worlds.length - 2;
  console.log(`\nstep back at step ${target + 1} of a ${worlds.length}-step run`);
  const kept = time('read the kept world', 20_000, () => worlds[target]);
  const replay = time('replay from the start', 5, () => {
    let w = worlds[0] as World;
    for (let i = 0; i < target; i++) w = step(w);
    return w;
  });
  console.log(`  ratio: replaying is ${fmt(replay / kept, 0)}× slower; keeping worlds makes "back" exact and instant`);
}

// The live diagram is rebuilt from all events on each animation frame that brings new ones.
{
  const events: SocketEvent[] = [];
  let seq = 0;
  const push = (fields: Omit<SocketEvent, 'seq' | 't' | 'origin'>) =>
    events.push({ seq, t: seq * 50, origin: fields.role === 'client' ? 'terminal' : 'sandbox', ...fields } as SocketEvent) && seq++;
  push({ kind: 'listen', socket: 's1', role: 'listener', local: '127.0.0.1:4000' });
  for (let c = 0; c < 16; c++) {
    const client = `s${100 + c}`;
    const server = `s${200 + c}`;
    const local = `127.0.0.1:${50_000 + c}`;
    push({ kind: 'connect', socket: client, role: 'client', remote: '127.0.0.1:4000' });
    push({ kind: 'accept', socket: server, role: 'server', local: '127.0.0.1:4000', remote: local });
    push({ kind: 'connected', socket: client, role: 'client', local, remote: '127.0.0.1:4000' });
    for (let i = 0; i < 75; i++) {
      push({ kind: 'write', socket: client, role: 'client', bytes: 6, preview: 'hello\\n' });
      push({ kind: 'read', socket: server, role: 'server', bytes: 6, preview: 'hello\\n' });
      push({ kind: 'write', socket: server, role: 'server', bytes: 6, preview: 'hello\\n' });
      push({ kind: 'read', socket: client, role: 'client', bytes: 6, preview: 'hello\\n' });
    }
  }
  console.log(`\nlive diagram model from ${events.length} events (about the page's 5,000-event cap)`);
  const perBuild = time('buildSequenceModel', 20, () => buildSequenceModel(events));
  console.log(`  ratio: ${fmt(perBuild / FRAME_MS, 3)} of a 16.7 ms frame`);
}

// The stepper's diagram is rebuilt at every step.
{
  const worlds = buildRun(defaultSpec('bulk-transfer'));
  console.log(`\nstepper diagram model for the bulk-transfer scenario (${worlds.length} steps), at its last step`);
  const perBuild = time('buildTcpSequenceModel', 50, () => buildTcpSequenceModel(worlds, worlds.length - 1, false));
  console.log(`  ratio: ${fmt(perBuild / FRAME_MS, 3)} of a 16.7 ms frame`);
}

// Captured packets are parsed as tcpdump writes them.
{
  const file = new Uint8Array(readFileSync(new URL('../fixtures/ipv4-echo.pcap', import.meta.url)));
  const header = file.slice(0, 24);
  const body = file.slice(24);
  const copies = 2000;
  const stream = new Uint8Array(header.length + body.length * copies);
  stream.set(header, 0);
  for (let i = 0; i < copies; i++) stream.set(body, header.length + i * body.length);
  console.log(`\npcap parsing: ${fmt(stream.length / 1024, 0)} KiB, ${copies * 10} packets`);
  let packets = 0;
  const t0 = performance.now();
  for (const record of createPcapStream().push(stream)) if (parseTcpPacket(record.linkType, record.data) !== undefined) packets++;
  const ms = performance.now() - t0;
  console.log(`  ${fmt(packets, 0)} packets in ${fmt(ms)} ms: ${fmt((packets / ms) * 1000, 0)} packets/s`);
  console.log(`  ratio: a handshake's 3 packets take ${fmt(((3 * ms) / packets / FRAME_MS) * 100, 4)} % of a frame`);
}

await import('./hostile.bench.ts');
await import('./scale.bench.ts');
await import('./lab.bench.ts');
