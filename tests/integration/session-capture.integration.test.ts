import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playground } from '../../server/app.ts';
import { captureSupport } from '../../server/capture/tcpdump.ts';
import type { CapturedSegment } from '../../src/protocol/segments.ts';
import { buildSequenceModel } from '../../src/viz/sequence-model.ts';
import { startTestPlayground, TestClient, until } from './harness.ts';

/** The live view with --capture: real segments of the session's own port, drawn as captured. */
const support = await captureSupport();
const skipReason = support.ok ? '' : ` — skipped: ${support.reason}`;

describe('a session without --capture', () => {
  it('says in one sentence that capture is off and the handshake is reconstructed', async () => {
    const playground = await startTestPlayground();
    const client = await TestClient.open(playground);
    const welcome = await client.next('welcome');
    expect(welcome.capture.state).toBe('off');
    expect(welcome.capture.message).toContain('reconstructed');
    await client.close();
    await playground.close();
  });
});

describe.skipIf(!support.ok)(`a session with --capture${skipReason}`, () => {
  let playground: Playground;
  beforeAll(async () => {
    playground = await startTestPlayground({ capture: true });
  });
  afterAll(async () => {
    await playground.close();
  });

  it('streams the real handshake, data and FINs of its own port, and the diagram draws them as captured', async () => {
    const client = await TestClient.open(playground);
    await client.next('capture', (message) => message.capture.state === 'on');
    const opened = await client.request({ type: 'connect', target: 'echo' });
    if (opened.type !== 'opened') throw new Error('not opened');
    await client.request({ type: 'send', socket: opened.socket, data: 'hi\n' });
    await client.next('received');
    await client.request({ type: 'shutdown', socket: opened.socket });
    await client.waitForEvent((event) => event.socket === opened.socket && event.kind === 'close', 'the close');

    const segments = (): CapturedSegment[] => client.messages.flatMap((message) => (message.type === 'segments' ? message.segments : []));
    await until(() => segments().filter((segment) => segment.flags.FIN).length >= 2, 'both FINs to be captured');
    const all = segments();
    const echoPort = client.echoAddress;
    for (const segment of all) expect([segment.src, segment.dst]).toContain(echoPort);

    const syn = all.find((segment) => segment.flags.SYN && !segment.flags.ACK);
    const synAck = all.find((segment) => segment.flags.SYN && segment.flags.ACK);
    expect(syn).toMatchObject({ src: opened.local, dst: echoPort });
    expect(syn?.options.mss).toBeGreaterThan(0);
    expect(synAck?.ack).toBe(((syn?.seq ?? 0) + 1) >>> 0);
    const ack = all.find((segment) => segment.src === opened.local && !segment.flags.SYN && segment.ack === (((synAck?.seq ?? 0) + 1) >>> 0));
    expect(ack).toBeDefined();
    expect(all.filter((segment) => segment.len === 3 && segment.preview === 'hi\\n')).toHaveLength(2);

    // Captured and socket events share one timeline: the SYN lies between connect() and accept().
    const connect = client.events.find((event) => event.kind === 'connect');
    const accept = client.events.find((event) => event.kind === 'accept');
    expect(syn!.t).toBeGreaterThan(connect!.t - 2000);
    expect(syn!.t).toBeLessThan(accept!.t + 2000);

    const model = buildSequenceModel(client.events, all);
    expect(model.arrows.every((arrow) => arrow.captured)).toBe(true);
    expect(model.arrows.filter((arrow) => arrow.reconstructed)).toEqual([]);
    expect(model.arrows[0]?.label).toMatch(/^SYN Seq=0 Win=\d+ Len=0\nMSS=\d+/);
    expect(model.arrows[1]?.label).toMatch(/^SYN, ACK Seq=0 Ack=1 /);
    await client.close();
  });
});
