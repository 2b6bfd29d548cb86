import { describe, expect, it } from 'vitest';
import type { Listener, Segment, SegmentDraft } from '../../../../src/core/tcp/index.ts';
import { acceptQueueFull, createEndpoint, createListener, endpointStep, flags, listenerStep } from '../../../../src/core/tcp/index.ts';

const synFrom = (port: number, iss: number): Segment => {
  const c = createEndpoint({ side: 'client', localPort: port, remotePort: 65432, iss });
  const r = endpointStep(c, { kind: 'app', call: { op: 'connect' } }, 0);
  const s = r.effects.find((fx) => fx.kind === 'send');
  if (s?.kind !== 'send') throw new Error('no SYN');
  return { ...s.segment, id: port };
};

const ackFor = (synAck: SegmentDraft, port: number): Segment => ({
  id: port + 1,
  from: 'client',
  srcPort: port,
  dstPort: 65432,
  seq: synAck.ack,
  ack: synAck.seq + 1,
  flags: flags('ACK'),
  window: 512,
  options: {},
  payload: '',
  len: 0,
});

function listening(backlog: number): Listener {
  const l = createListener({ side: 'server', localPort: 65432, iss: 0 });
  return listenerStep(l, { kind: 'listen', backlog }, 0).listener;
}

function sentBy(step: ReturnType<typeof listenerStep>): SegmentDraft[] {
  return step.effects.flatMap((fx) => (fx.kind === 'send' ? [fx.segment] : []));
}

describe('listener queues', () => {
  it('a SYN creates a SYN-RECEIVED child in the SYN queue; its ACK moves it to the accept queue before accept()', () => {
    let l = listening(5);
    const r1 = listenerStep(l, { kind: 'segment', segment: synFrom(50000, 100), iss: 9000 }, 10);
    l = r1.listener;
    expect(r1.transition).toMatchObject({ from: 'LISTEN', to: 'SYN-RECEIVED' });
    expect(l.socket.state).toBe('LISTEN');
    expect(l.synQueue).toEqual([50000]);
    const synAck = sentBy(r1)[0]!;
    expect(synAck).toMatchObject({ seq: 9000, ack: 101, flags: flags('SYN', 'ACK') });
    const r2 = listenerStep(l, { kind: 'segment', segment: ackFor(synAck, 50000), iss: 0 }, 20);
    l = r2.listener;
    expect(l.synQueue).toEqual([]);
    expect(l.acceptQueue).toEqual([50000]);
    expect(l.connections[0]?.state).toBe('ESTABLISHED');
    const r3 = listenerStep(l, { kind: 'accept' }, 30);
    expect(r3.effects).toContainEqual({ kind: 'result', result: { ok: true } });
    expect(r3.remotePort).toBe(50000);
    expect(r3.listener.acceptQueue).toEqual([]);
  });

  it('listen(1) admits backlog + 1 = 2 connections, as Linux does; the next SYN is dropped without an answer', () => {
    let l = listening(1);
    for (const [port, iss] of [[50000, 100], [50001, 200]] as const) {
      const syn = listenerStep(l, { kind: 'segment', segment: synFrom(port, iss), iss: iss * 10 }, 10);
      l = listenerStep(syn.listener, { kind: 'segment', segment: ackFor(sentBy(syn)[0]!, port), iss: 0 }, 20).listener;
    }
    expect(l.acceptQueue).toEqual([50000, 50001]);
    expect(acceptQueueFull(l)).toBe(true);
    const third = listenerStep(l, { kind: 'segment', segment: synFrom(50002, 300), iss: 1 }, 22);
    expect(third.overflow).toBe(true);
    expect(third.effects).toEqual([]);
    expect(third.listener.connections.map((c) => c.remotePort)).toEqual([50000, 50001]);
  });

  it('accept() on an empty queue would block (EAGAIN)', () => {
    const r = listenerStep(listening(1), { kind: 'accept' }, 0);
    expect(r.effects).toContainEqual({ kind: 'result', result: { ok: false, error: 'EAGAIN' } });
  });

  it('with the accept queue full, the completing ACK is dropped and the child stays SYN-RECEIVED (tcp_abort_on_overflow=0)', () => {
    // listen(0): Linux still lets one connection wait (backlog + 1).
    let l = listening(0);
    const a = listenerStep(l, { kind: 'segment', segment: synFrom(50000, 100), iss: 9000 }, 10);
    const b = listenerStep(a.listener, { kind: 'segment', segment: synFrom(50001, 200), iss: 7000 }, 11);
    l = listenerStep(b.listener, { kind: 'segment', segment: ackFor(sentBy(a)[0]!, 50000), iss: 0 }, 20).listener;
    expect(l.acceptQueue).toEqual([50000]);
    const dropped = listenerStep(l, { kind: 'segment', segment: ackFor(sentBy(b)[0]!, 50001), iss: 0 }, 21);
    expect(dropped.overflow).toBe(true);
    expect(dropped.effects).toEqual([]);
    expect(dropped.listener).toBe(l);
    const child = dropped.listener.connections.find((c) => c.remotePort === 50001)!;
    expect(child.state).toBe('SYN-RECEIVED');
    // Its SYN-ACK timer keeps running, so it will retransmit.
    const rtx = listenerStep(l, { kind: 'timer', remotePort: 50001, timer: 'retransmit' }, child.timers.retransmit!);
    expect(sentBy(rtx)[0]).toMatchObject({ seq: 7000, flags: flags('SYN', 'ACK') });
    // A new SYN is dropped as well while the queue is full.
    const third = listenerStep(l, { kind: 'segment', segment: synFrom(50002, 300), iss: 1 }, 22);
    expect(third.overflow).toBe(true);
    expect(third.listener.connections).toHaveLength(2);
    // After accept() makes room, the next ACK completes the handshake.
    const room = listenerStep(rtx.listener, { kind: 'accept' }, 30).listener;
    const done = listenerStep(room, { kind: 'segment', segment: ackFor(sentBy(b)[0]!, 50001), iss: 0 }, 31);
    expect(done.overflow).toBe(false);
    expect(done.listener.acceptQueue).toEqual([50001]);
  });

  it('answers segments for unknown connections as RFC 9293 says: RST for an ACK, nothing for a RST', () => {
    const l = listening(1);
    const stray = listenerStep(l, { kind: 'segment', segment: { ...ackFor(synFrom(50000, 1), 50000), ack: 77 }, iss: 0 }, 0);
    expect(sentBy(stray)).toEqual([expect.objectContaining({ seq: 77, flags: flags('RST') })]);
    const rst = listenerStep(l, { kind: 'segment', segment: { ...synFrom(50000, 1), flags: flags('RST') }, iss: 0 }, 0);
    expect(sentBy(rst)).toEqual([]);
  });

  it('a closed listening socket refuses SYNs with RST, ACK', () => {
    const l = createListener({ side: 'server', localPort: 65432, iss: 0 });
    const r = listenerStep(l, { kind: 'segment', segment: synFrom(50000, 41), iss: 0 }, 0);
    expect(sentBy(r)).toEqual([expect.objectContaining({ seq: 0, ack: 42, flags: flags('RST', 'ACK') })]);
  });

  it('closing the listener resets connections still waiting in its queues', () => {
    const l = listening(5);
    const a = listenerStep(l, { kind: 'segment', segment: synFrom(50000, 100), iss: 9000 }, 10);
    const closed = listenerStep(a.listener, { kind: 'close' }, 20);
    expect(closed.transition).toMatchObject({ from: 'LISTEN', to: 'CLOSED' });
    expect(sentBy(closed)).toEqual([expect.objectContaining({ flags: flags('RST', 'ACK') })]);
    expect(closed.listener.synQueue).toEqual([]);
  });
});
