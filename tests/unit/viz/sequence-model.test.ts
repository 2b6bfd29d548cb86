import { describe, expect, it } from 'vitest';
import type { SocketEvent } from '../../../src/protocol/events.ts';
import { buildSequenceModel, SequenceBuilder, type SequenceModel } from '../../../src/viz/sequence-model.ts';
import { describeEvent } from '../../../src/viz/describe-event.ts';

const ECHO = '127.0.0.1:40211';
const CLIENT = '127.0.0.1:51000';

let seq = 0;
function ev(fields: Partial<SocketEvent> & Pick<SocketEvent, 'kind' | 'socket' | 'role'>): SocketEvent {
  const origin = fields.role === 'client' ? 'terminal' : 'sandbox';
  return { seq: seq++, t: seq * 100, origin, server: 'echo', ...fields };
}

/** A whole echo session as the server reports it: accept may come before connect completes. */
function echoSession(): SocketEvent[] {
  seq = 0;
  const c = { socket: 's2', role: 'client', local: CLIENT, remote: ECHO } as const;
  const s = { socket: 's3', role: 'server', local: ECHO, remote: CLIENT } as const;
  return [
    ev({ kind: 'listen', socket: 's1', role: 'listener', local: ECHO }),
    ev({ kind: 'connect', socket: 's2', role: 'client', remote: ECHO }),
    ev({ kind: 'accept', ...s }),
    ev({ kind: 'connected', ...c }),
    ev({ kind: 'write', ...c, bytes: 6, preview: 'hello\\n' }),
    ev({ kind: 'read', ...s, bytes: 6, preview: 'hello\\n' }),
    ev({ kind: 'write', ...s, bytes: 6, preview: 'hello\\n' }),
    ev({ kind: 'read', ...c, bytes: 6, preview: 'hello\\n' }),
    ev({ kind: 'shutdown', ...c }),
    ev({ kind: 'fin', ...s }),
    ev({ kind: 'close', ...s }),
    ev({ kind: 'fin', ...c }),
    ev({ kind: 'close', ...c }),
  ];
}

describe('buildSequenceModel', () => {
  it('pairs client and server sockets by address into one connection, client lane first', () => {
    const model = buildSequenceModel(echoSession());
    expect(model.lanes.map((lane) => [lane.id, lane.kind, lane.address])).toEqual([
      ['s2', 'client', CLIENT],
      ['s3', 'server', ECHO],
    ]);
    expect(model.listeners).toEqual([{ socket: 's1', address: ECHO, server: 'echo' }]);
  });

  it('draws SYN, SYN-ACK, ACK as reconstructed arrows, in order, between the two lanes', () => {
    const model = buildSequenceModel(echoSession());
    const handshake = model.arrows.filter((arrow) => arrow.reconstructed && arrow.kind !== 'fin');
    expect(handshake.map((arrow) => [arrow.label, arrow.from, arrow.to])).toEqual([
      ['SYN', 's2', 's3'],
      ['SYN-ACK', 's3', 's2'],
      ['ACK', 's2', 's3'],
    ]);
    expect(handshake[1]!.startRow).toBe(handshake[0]!.endRow);
    expect(handshake[2]!.startRow).toBe(handshake[1]!.endRow);
    for (const arrow of handshake) {
      expect(arrow.description).toContain('reconstructed');
      expect(arrow.events.map((event) => event.kind)).toEqual(['connect', 'connected', 'accept']);
    }
    expect(model.marks.map((mark) => mark.label)).toEqual(expect.arrayContaining(['connect()', 'connect() returns', 'accept()']));
  });

  it('ends each data arrow at the recv() that read its last byte', () => {
    const model = buildSequenceModel(echoSession());
    const data = model.arrows.filter((arrow) => arrow.kind === 'data');
    expect(data.map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['s2', 's3', '6 B "hello\\n"'],
      ['s3', 's2', '6 B "hello\\n"'],
    ]);
    for (const arrow of data) {
      expect(arrow.endRow).toBeGreaterThan(arrow.startRow);
      expect(arrow.events.map((event) => event.kind)).toEqual(['write', 'read']);
    }
  });

  it('ends a write split over two reads at the second, and two writes read at once at the same read', () => {
    seq = 0;
    const c = { socket: 's2', role: 'client', local: CLIENT, remote: ECHO } as const;
    const s = { socket: 's3', role: 'server', local: ECHO, remote: CLIENT } as const;
    const events = [
      ev({ kind: 'connect', socket: 's2', role: 'client', remote: ECHO }),
      ev({ kind: 'connected', ...c }),
      ev({ kind: 'accept', ...s }),
      ev({ kind: 'write', ...c, bytes: 10 }),
      ev({ kind: 'read', ...s, bytes: 4 }),
      ev({ kind: 'read', ...s, bytes: 6 }),
      ev({ kind: 'write', ...c, bytes: 2 }),
      ev({ kind: 'write', ...c, bytes: 3 }),
      ev({ kind: 'read', ...s, bytes: 5 }),
    ];
    const model = buildSequenceModel(events);
    const rowOf = (seqNo: number) => model.marks.find((mark) => mark.events[0]?.seq === seqNo)?.row;
    const [big, small1, small2] = model.arrows.filter((arrow) => arrow.kind === 'data');
    expect(big!.endRow).toBe(rowOf(5));
    expect(small1!.endRow).toBe(rowOf(8));
    expect(small2!.endRow).toBe(rowOf(8));
  });

  it('draws FIN from shutdown() to the peer reading end of stream, and from the server close()', () => {
    const model = buildSequenceModel(echoSession());
    const fins = model.arrows.filter((arrow) => arrow.kind === 'fin');
    expect(fins.map((arrow) => [arrow.from, arrow.to])).toEqual([
      ['s2', 's3'],
      ['s3', 's2'],
    ]);
    expect(fins[0]!.events.map((event) => event.kind)).toEqual(['shutdown', 'fin']);
    expect(fins[1]!.events.map((event) => event.kind)).toEqual(['close', 'fin']);
    // Node never sees the FIN segment either: like the handshake, it is inferred from the calls.
    for (const fin of fins) {
      expect(fin.reconstructed).toBe(true);
      expect(fin.description).toContain('reconstructed');
      expect(fin.description).toContain('read end of stream');
    }
    const client = model.lanes.find((lane) => lane.id === 's2');
    expect(client?.lastRow).toBeDefined();
  });

  it('gives a connection from outside the browser its own lane', () => {
    seq = 0;
    const outside = '127.0.0.1:60000';
    const s = { socket: 's4', role: 'server', local: ECHO, remote: outside } as const;
    const model = buildSequenceModel([
      ev({ kind: 'accept', ...s }),
      ev({ kind: 'read', ...s, bytes: 3, preview: 'hi\\n' }),
      ev({ kind: 'write', ...s, bytes: 3, preview: 'hi\\n' }),
      ev({ kind: 'fin', ...s }),
      ev({ kind: 'close', ...s }),
    ]);
    expect(model.lanes.map((lane) => [lane.kind, lane.address])).toEqual([
      ['outside', outside],
      ['server', ECHO],
    ]);
    expect(model.arrows.map((arrow) => arrow.label)).toEqual([
      'SYN',
      'SYN-ACK',
      'ACK',
      '3 B "hi\\n"',
      '3 B "hi\\n"',
      'FIN',
      'FIN',
    ]);
    expect(model.arrows.map((arrow) => arrow.from)).toEqual([
      'outside-0',
      's4',
      'outside-0',
      'outside-0',
      's4',
      'outside-0',
      's4',
    ]);
  });

  it('is a pure function of the events', () => {
    expect(buildSequenceModel(echoSession())).toEqual(buildSequenceModel(echoSession()));
    expect(buildSequenceModel([])).toEqual({ lanes: [], arrows: [], longArrows: [], marks: [], rows: [], listeners: [] });
  });

  it('leaves room below the last row for an arrow that was never read', () => {
    const model = buildSequenceModel(echoSession().slice(0, 5));
    const last = Math.max(...model.arrows.map((arrow) => arrow.endRow));
    expect(model.rows.length).toBeGreaterThan(last);
  });
});

describe('describeEvent', () => {
  it('writes one plain line per event with its time in µs', () => {
    const lines = echoSession().map(describeEvent);
    expect(lines[1]).toMatch(/^\s+200 µs {2}s2 client: connect\(\) to 127\.0\.0\.1:40211: SYN sent$/);
    expect(lines[4]).toContain('write() wrote 6 B "hello\\n"');
    expect(lines[9]).toContain("recv() returned b''");
  });
});

const flags = (...set: string[]) => ({ SYN: set.includes('SYN'), ACK: set.includes('ACK'), FIN: set.includes('FIN'), RST: false, PSH: set.includes('PSH') });
const seg = (t: number, src: string, dst: string, seqNo: number, ack: number, f: ReturnType<typeof flags>, len = 0, options = {}) => ({
  t,
  src,
  dst,
  seq: seqNo,
  ack,
  flags: f,
  window: 512,
  options,
  len,
  preview: len > 0 ? 'hello\\n' : '',
});
// Client ISN 1000, server ISN 5000, both offering window scale 7.
const captured = [
  seg(250, CLIENT, ECHO, 1000, 0, flags('SYN'), 0, { mss: 65495, windowScale: 7, sackPermitted: true }),
  seg(260, ECHO, CLIENT, 5000, 1001, flags('SYN', 'ACK'), 0, { mss: 65495, windowScale: 7 }),
  seg(270, CLIENT, ECHO, 1001, 5001, flags('ACK')),
  seg(510, CLIENT, ECHO, 1001, 5001, flags('PSH', 'ACK'), 6),
];

describe('buildSequenceModel with captured segments', () => {
  it('draws every captured segment as a real arrow, relative to each side’s ISN, and drops the reconstruction', () => {
    const model = buildSequenceModel(echoSession(), captured);
    const drawn = model.arrows.filter((arrow) => arrow.captured);
    expect(drawn.map((arrow) => [arrow.kind, arrow.from, arrow.to])).toEqual([
      ['syn', 's2', 's3'],
      ['syn-ack', 's3', 's2'],
      ['ack', 's2', 's3'],
      ['data', 's2', 's3'],
    ]);
    expect(drawn.map((arrow) => arrow.label.split('\n')[0])).toEqual([
      'SYN Seq=0 Win=512 Len=0',
      'SYN, ACK Seq=0 Ack=1 Win=512 Len=0',
      'ACK Seq=1 Ack=1 Win=65536 Len=0',
      'PSH, ACK Seq=1 Ack=1 Win=65536 Len=6',
    ]);
    expect(model.arrows.filter((arrow) => arrow.reconstructed)).toEqual([]);
    expect(model.marks.map((mark) => mark.label)).toEqual(expect.arrayContaining(['connect()', 'accept()', 'write 6 B', 'recv 6 B']));
  });

  it('orders segments and calls by time on one timeline', () => {
    const model = buildSequenceModel(echoSession(), captured);
    const connectRow = model.marks.find((mark) => mark.label === 'connect()')!.row;
    const acceptRow = model.marks.find((mark) => mark.label === 'accept()')!.row;
    const synRow = model.arrows.find((arrow) => arrow.kind === 'syn')!.startRow;
    expect(connectRow).toBeLessThan(synRow);
    expect(synRow).toBeLessThan(acceptRow);
  });
});

describe('SequenceBuilder: the same model, built as data arrives', () => {
  /** A plain copy, so a model can be compared after the builder has moved on. */
  const snapshot = (model: SequenceModel) => structuredClone(model);

  it('gives the whole-session model when fed one event at a time, even an accept before its connect completes', () => {
    const all = echoSession();
    const builder = new SequenceBuilder();
    const growing: typeof all = [];
    let model: SequenceModel | undefined;
    for (const event of all) {
      growing.push(event);
      model = builder.update(growing);
    }
    expect(snapshot(model!)).toEqual(snapshot(buildSequenceModel(all)));
    expect(builder.rebuilds).toBe(0);
  });

  it('holds an accept until the terminal socket it may pair with says its address', () => {
    const all = echoSession();
    const builder = new SequenceBuilder();
    const growing = all.slice(0, 3);
    const early = builder.update(growing);
    expect(early.lanes.map((lane) => lane.kind)).toEqual(['client']);
    growing.push(...all.slice(3));
    expect(snapshot(builder.update(growing)).lanes.map((lane) => lane.kind)).toEqual(['client', 'server']);
  });

  it('starts over when a captured segment arrives after later events were drawn', () => {
    const builder = new SequenceBuilder();
    const events = echoSession();
    const segments: typeof captured = [];
    builder.update(events, segments);
    segments.push(...captured);
    const model = builder.update(events, segments);
    expect(builder.rebuilds).toBe(1);
    expect(snapshot(model)).toEqual(snapshot(buildSequenceModel(echoSession(), captured)));
  });

  it('starts afresh for a new session', () => {
    const builder = new SequenceBuilder();
    builder.update(echoSession());
    expect(snapshot(builder.update([]))).toEqual({ lanes: [], arrows: [], longArrows: [], marks: [], rows: [], listeners: [] });
    expect(snapshot(builder.update(echoSession()))).toEqual(snapshot(buildSequenceModel(echoSession())));
  });
});
