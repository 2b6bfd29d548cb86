import { describe, expect, it } from 'vitest';
import { buildRun, defaultSpec, intervene } from '../../../src/client/tcp-run.ts';
import { buildTcpSequenceModel, segmentText } from '../../../src/viz/tcp-sequence-model.ts';

describe('buildTcpSequenceModel', () => {
  const worlds = buildRun(defaultSpec('handshake'));
  const end = worlds.length - 1;

  it('draws the handshake as three segments between the client and server lanes, labelled as Wireshark does', () => {
    const model = buildTcpSequenceModel(worlds, end, false);
    expect(model.lanes.map((lane) => lane.id)).toEqual(['client-0', 'server']);
    expect(model.arrows.map((arrow) => [arrow.kind, arrow.from, arrow.to])).toEqual([
      ['syn', 'client-0', 'server'],
      ['syn-ack', 'server', 'client-0'],
      ['ack', 'client-0', 'server'],
    ]);
    expect(model.arrows[0]!.label).toMatch(/^SYN Seq=0 Win=\d+ Len=0\nMSS=1460/);
    expect(model.arrows[1]!.label).toMatch(/^SYN, ACK Seq=0 Ack=1 /);
    expect(model.arrows[2]!.label).toMatch(/^ACK Seq=1 Ack=1 /);
    for (const arrow of model.arrows) expect(arrow.endRow).toBeGreaterThan(arrow.startRow);
    expect(model.lanes.map((lane) => lane.address)).toEqual(['ESTABLISHED', 'LISTEN · ESTABLISHED']);
  });

  it('shows absolute numbers when asked', () => {
    const model = buildTcpSequenceModel(worlds, end, true);
    const syn = model.arrows[0]!.segment!;
    expect(model.arrows[0]!.label).toContain(`Seq=${syn.seq} `);
    expect(segmentText(worlds[end]!, syn, false)).toContain('Seq=0 ');
  });

  it('draws only what has happened by the cursor, with a segment still travelling marked in flight', () => {
    const early = buildTcpSequenceModel(worlds, 1, false);
    expect(early.arrows).toHaveLength(1);
    expect(early.arrows[0]).toMatchObject({ kind: 'syn', inFlight: true, endRow: 2 });
    expect(early.lanes[0]!.address).toBe('SYN-SENT');
  });

  it('marks a lost segment and the retransmission that follows it', () => {
    const lossy = buildRun(intervene(defaultSpec('handshake'), { at: 0, kind: 'arm-drop' }));
    const model = buildTcpSequenceModel(lossy, lossy.length - 1, false);
    const syns = model.arrows.filter((arrow) => arrow.kind === 'syn');
    expect(syns.map((arrow) => Boolean(arrow.lost))).toEqual([true, false]);
    expect(model.marks.some((mark) => mark.label.includes('RTO'))).toBe(true);
  });

  it('notes each call and state change on its lane', () => {
    const model = buildTcpSequenceModel(worlds, end, false);
    const labels = model.marks.map((mark) => mark.label);
    expect(labels).toEqual(expect.arrayContaining(['connect() → SYN-SENT', 'listen() → LISTEN', 'accept()', '→ ESTABLISHED']));
  });
});

describe('a run that starts with a segment in flight', () => {
  it('draws the old duplicate SYN from step 0 to its arrival', () => {
    const worlds = buildRun(defaultSpec('old-duplicate-syn'));
    const model = buildTcpSequenceModel(worlds, 3, false);
    expect(model.arrows[0]).toMatchObject({ kind: 'syn', from: 'client-0', to: 'server', startRow: 0, endRow: 1, inFlight: false });
  });
});
