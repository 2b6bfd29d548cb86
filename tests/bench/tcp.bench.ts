/**
 * TCP model benchmark: `node tests/bench/tcp.bench.ts`. Prints figures only;
 * nothing here passes or fails.
 */
import { createRng, seedRng } from '../../src/core/rng.ts';
import type { World } from '../../src/core/tcp/index.ts';
import { scenarioById, step } from '../../src/core/tcp/index.ts';

const FRAME_MS = 1000 / 60;
const bulk = scenarioById('bulk-transfer');
if (bulk === undefined) throw new Error('bulk-transfer scenario missing');

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function segmentsIn(w: World): number {
  return w.nextSegmentId - 1;
}

// 1. Throughput: step a long transfer to the end, keeping only the latest world.
{
  const start = bulk.create({ bytes: 16_000_000, loss: 0.01, seed: 1, latency: 20_000 });
  const t0 = performance.now();
  let w = start;
  let steps = 0;
  for (;;) {
    const next = step(w);
    if (next === w) break;
    w = next;
    steps++;
  }
  const ms = performance.now() - t0;
  const segs = segmentsIn(w);
  console.log('model throughput (16 MB upload, 1% loss, stepping without keeping history)');
  console.log(`  ${fmt(segs, 0)} segments, ${fmt(steps, 0)} steps in ${fmt(ms)} ms`);
  console.log(`  ${fmt((segs / ms) * 1000, 0)} segments/s, ${fmt((steps / ms) * 1000, 0)} steps/s`);
}

// 2. Jumping: record every world of a run with at least 10,000 segments, then jump around it.
{
  const start = bulk.create({ bytes: 12_000_000, loss: 0.01, seed: 2, latency: 20_000 });
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const worlds: World[] = [start];
  let w = start;
  while (segmentsIn(w) < 10_000) {
    const next = step(w);
    if (next === w) break;
    worlds.push(next);
    w = next;
  }
  const recordMs = performance.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const rng = createRng(seedRng(42));
  const times: number[] = [];
  // Summing what each jump returns keeps the jumps from being optimised away.
  let sink = 0;
  for (let i = 0; i < 5000; i++) {
    const k = rng.int(worlds.length);
    const j0 = performance.now();
    // A jump is an index into the recorded worlds (src/core/replay.ts).
    const at = worlds[k] as World;
    sink += at.step;
    times.push(performance.now() - j0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const max = times[times.length - 1] ?? 0;
  console.log(`jump to a random step of a ${fmt(segmentsIn(w), 0)}-segment run (${fmt(worlds.length, 0)} worlds, all kept)`);
  console.log(`  recording took ${fmt(recordMs)} ms; heap grew about ${fmt(heapMb)} MB (${fmt((heapMb * 1024) / worlds.length, 2)} KB per world)`);
  console.log(`  5,000 jumps: median ${fmt(median * 1000, 2)} µs, max ${fmt(max * 1000, 2)} µs`);
  console.log(`  that is ${fmt(median / FRAME_MS, 6)} frames (median) and ${fmt(max / FRAME_MS, 6)} frames (max) of 16.7 ms`);
  console.log(`  (checksum ${sink})`);
}
