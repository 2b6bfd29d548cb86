import { describe, expect, it } from 'vitest';
import type { SegmentDraft } from '../../../../src/core/tcp/index.ts';
import { endpointStep, flags, seqAdd } from '../../../../src/core/tcp/index.ts';
import { CLIENT_ISS, SERVER_ISS, Wire, app, client, seg, sent, server } from './support/endpoints.ts';

const pairs = (w: Wire) => w.transitions.map((t) => `${t.from}>${t.to}`);

describe('three-way handshake (RFC 9293 §3.5)', () => {
  it('SYN carries seq=ISS and no ACK; SYN-ACK acks ISS+1; the final ACK acks the server ISS+1', () => {
    const w = new Wire(client(), server());
    w.handshake();
    const [syn, synAck, ack] = w.delivered;
    expect(syn?.flags).toEqual(flags('SYN'));
    expect(syn?.seq).toBe(CLIENT_ISS);
    expect(syn?.ack).toBe(0);
    expect(synAck?.flags).toEqual(flags('SYN', 'ACK'));
    expect(synAck?.seq).toBe(SERVER_ISS);
    expect(synAck?.ack).toBe(CLIENT_ISS + 1);
    expect(ack?.flags).toEqual(flags('ACK'));
    expect(ack?.seq).toBe(CLIENT_ISS + 1);
    expect(ack?.ack).toBe(SERVER_ISS + 1);
    expect(w.ends.client.state).toBe('ESTABLISHED');
    expect(w.ends.server.state).toBe('ESTABLISHED');
    expect(pairs(w)).toEqual(['CLOSED>LISTEN', 'CLOSED>SYN-SENT', 'LISTEN>SYN-RECEIVED', 'SYN-SENT>ESTABLISHED', 'SYN-RECEIVED>ESTABLISHED']);
  });

  it('puts MSS, WS, SACK_PERM on the SYN and SYN-ACK only; timestamps on every non-RST segment once negotiated (RFC 7323)', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'send', data: 'hello' }));
    w.flush();
    const [syn, synAck, ...rest] = w.delivered;
    expect(syn?.options).toMatchObject({ mss: 1460, windowScale: 7, sackPermitted: true, timestamps: { tsecr: 0 } });
    expect(synAck?.options).toMatchObject({ mss: 1460, windowScale: 7, sackPermitted: true });
    expect(synAck?.options.timestamps?.tsecr).toBe(syn?.options.timestamps?.tsval);
    expect(rest.length).toBeGreaterThan(1);
    for (const s of rest) {
      expect(s.options.mss).toBeUndefined();
      expect(s.options.windowScale).toBeUndefined();
      expect(s.options.sackPermitted).toBeUndefined();
      expect(s.options.timestamps).toBeDefined();
    }
    // RFC 7323: the SYN's window is never scaled; later ones are.
    expect(syn?.window).toBe(65535);
    expect(rest[0]?.window).toBe(Math.floor(65535 / 128));
  });

  it('leaves out an option the peer did not offer', () => {
    const w = new Wire(client(CLIENT_ISS, { windowScale: undefined, timestamps: false }), server());
    w.handshake();
    const synAck = w.delivered[1];
    expect(synAck?.options.windowScale).toBeUndefined();
    expect(synAck?.options.timestamps).toBeUndefined();
    expect(w.ends.server.wsOk).toBe(false);
    expect(w.delivered[2]?.window).toBe(65535);
  });

  it('simultaneous open: SYN-SENT → SYN-RECEIVED on a bare SYN, then ESTABLISHED on both sides', () => {
    const a = client();
    const b = server();
    const w = new Wire(a, b);
    w.apply('client', app({ op: 'connect' }));
    w.apply('server', app({ op: 'connect' }));
    w.flush();
    expect(pairs(w)).toContain('SYN-SENT>SYN-RECEIVED');
    expect(w.ends.client.state).toBe('ESTABLISHED');
    expect(w.ends.server.state).toBe('ESTABLISHED');
    expect(w.transitions.filter((t) => t.from === 'SYN-RECEIVED' && t.to === 'ESTABLISHED')).toHaveLength(2);
  });
});

describe('app calls outside the usual path', () => {
  it('SEND on a LISTEN socket makes it active (LISTEN → SYN-SENT) and the data follows the handshake', () => {
    const w = new Wire(server(), client(CLIENT_ISS));
    w.apply('client', app({ op: 'listen' }));
    w.apply('server', app({ op: 'listen' }));
    const r = w.apply('client', app({ op: 'send', data: 'early' }));
    expect(r.transition).toMatchObject({ from: 'LISTEN', to: 'SYN-SENT' });
    expect(sent(r)[0]?.flags).toEqual(flags('SYN'));
    w.flush();
    expect(w.ends.server.rcvBuf).toBe('early');
  });

  it('CLOSE in LISTEN and in SYN-SENT deletes the TCB', () => {
    const l = endpointStep(server(), app({ op: 'listen' }), 0).endpoint;
    expect(endpointStep(l, app({ op: 'close' }), 0).transition).toMatchObject({ from: 'LISTEN', to: 'CLOSED' });
    const s = endpointStep(client(), app({ op: 'connect' }), 0).endpoint;
    const closed = endpointStep(s, app({ op: 'close' }), 0);
    expect(closed.transition).toMatchObject({ from: 'SYN-SENT', to: 'CLOSED', hops: [{ edge: { inFigure: true } }] });
    expect(closed.endpoint.timers).toEqual({});
  });

  it('CLOSE in SYN-RECEIVED sends FIN and enters FIN-WAIT-1', () => {
    const w = new Wire(client(), server());
    w.apply('server', app({ op: 'listen' }));
    w.apply('client', app({ op: 'connect' }));
    w.flush(() => false, 1);
    expect(w.ends.server.state).toBe('SYN-RECEIVED');
    const r = w.apply('server', app({ op: 'close' }));
    expect(r.transition).toMatchObject({ from: 'SYN-RECEIVED', to: 'FIN-WAIT-1' });
    expect(sent(r).map((s) => s.flags.FIN)).toEqual([true]);
    expect(sent(r)[0]?.seq).toBe(SERVER_ISS + 1);
    w.flush();
    expect(w.ends.client.state).toBe('CLOSE-WAIT');
    expect(w.ends.server.state).toBe('FIN-WAIT-2');
  });

  it('a RST in SYN-RECEIVED after a passive open returns to LISTEN', () => {
    const w = new Wire(client(), server());
    w.apply('server', app({ op: 'listen' }));
    w.apply('client', app({ op: 'connect' }));
    w.flush(() => false, 1);
    const rst: SegmentDraft = { ...w.delivered[0]!, seq: CLIENT_ISS + 1, flags: flags('RST'), options: {} };
    const r = w.apply('server', seg(rst));
    expect(r.transition).toMatchObject({ from: 'SYN-RECEIVED', to: 'LISTEN' });
    expect(r.endpoint.timers).toEqual({});
  });

  it('reports errors the way the socket API does', () => {
    const c = client();
    const rs = (e: ReturnType<typeof client>, call: Parameters<typeof app>[0]) =>
      endpointStep(e, app(call), 0).effects.find((fx) => fx.kind === 'result');
    expect(rs(c, { op: 'send', data: 'x' })).toMatchObject({ result: { ok: false, error: 'ENOTCONN' } });
    expect(rs(c, { op: 'recv', max: 1 })).toMatchObject({ result: { ok: false, error: 'ENOTCONN' } });
    const connecting = endpointStep(c, app({ op: 'connect' }), 0).endpoint;
    expect(rs(connecting, { op: 'connect' })).toMatchObject({ result: { ok: false, error: 'EALREADY' } });
    expect(rs(connecting, { op: 'listen' })).toMatchObject({ result: { ok: false, error: 'EINVAL' } });
  });
});

describe('connection refused (RFC 9293 §3.10.7.1, §3.10.7.3)', () => {
  it('a closed port answers a SYN with <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, which gives ECONNREFUSED in SYN-SENT', () => {
    const closed = server();
    const c = endpointStep(client(), app({ op: 'connect' }), 0);
    const syn = sent(c)[0]!;
    const reply = endpointStep(closed, seg(syn), 1000);
    const rst = sent(reply)[0]!;
    expect(rst.flags).toEqual(flags('RST', 'ACK'));
    expect(rst.seq).toBe(0);
    expect(rst.ack).toBe(CLIENT_ISS + 1);
    const refused = endpointStep(c.endpoint, seg(rst), 2000);
    expect(refused.transition).toMatchObject({ from: 'SYN-SENT', to: 'CLOSED' });
    expect(refused.effects).toContainEqual({ kind: 'error', error: 'ECONNREFUSED' });
    expect(refused.endpoint.error).toBe('ECONNREFUSED');
    expect(refused.endpoint.timers).toEqual({});
  });

  it('in SYN-SENT a RST whose ACK does not cover the SYN is ignored, and such an ACK alone draws a RST', () => {
    const c = endpointStep(client(), app({ op: 'connect' }), 0).endpoint;
    const bad: SegmentDraft = {
      from: 'server',
      srcPort: 65432,
      dstPort: 50000,
      seq: 777,
      ack: CLIENT_ISS + 7,
      flags: flags('RST', 'ACK'),
      window: 0,
      options: {},
      payload: '',
      len: 0,
    };
    const ignored = endpointStep(c, seg(bad), 10);
    expect(ignored.endpoint.state).toBe('SYN-SENT');
    expect(sent(ignored)).toEqual([]);
    const answered = endpointStep(c, seg({ ...bad, flags: flags('SYN', 'ACK') }), 10);
    expect(answered.endpoint.state).toBe('SYN-SENT');
    expect(sent(answered)).toEqual([expect.objectContaining({ seq: CLIENT_ISS + 7, flags: flags('RST') })]);
  });
});

describe('retransmission (RFC 6298)', () => {
  it('RFC 6298 SYN backoff: 1 s, 2 s, 4 s … and gives up with ETIMEDOUT after tcp_syn_retries', () => {
    let c = endpointStep({ ...client(), config: { ...client().config, synBackoff: 'exponential' } }, app({ op: 'connect' }), 0).endpoint;
    const fired: number[] = [];
    let gaveUp = false;
    for (let i = 0; i < 10 && !gaveUp; i++) {
      const at = c.timers.retransmit!;
      fired.push(at);
      const r = endpointStep(c, { kind: 'timer', timer: 'retransmit' }, at);
      c = r.endpoint;
      if (c.state === 'CLOSED') {
        gaveUp = true;
        expect(r.effects).toContainEqual({ kind: 'error', error: 'ETIMEDOUT' });
      } else {
        expect(sent(r)[0]).toMatchObject({ seq: CLIENT_ISS, flags: flags('SYN') });
      }
    }
    const gaps = fired.map((t, i) => t - (fired[i - 1] ?? 0));
    expect(gaps.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 32].map((s) => s * 1e6));
    expect(gaveUp).toBe(true);
    expect(fired).toHaveLength(7);
  });

  it('retransmits lost data from SND.UNA and the receiver delivers it once', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'send', data: 'abc' }));
    w.flush(() => true, 1);
    expect(w.ends.client.timers.retransmit).toBeDefined();
    w.now = w.ends.client.timers.retransmit!;
    const r = w.apply('client', { kind: 'timer', timer: 'retransmit' });
    expect(sent(r)[0]).toMatchObject({ seq: CLIENT_ISS + 1, payload: 'abc' });
    expect(r.effects).toContainEqual({ kind: 'send', segment: sent(r)[0], retransmission: true });
    w.flush();
    expect(w.ends.server.rcvBuf).toBe('abc');
    expect(w.ends.client.sndBuf).toBe('');
    expect(w.ends.client.timers.retransmit).toBeUndefined();
  });
});

describe('sequence numbers across the 2^32 wrap', () => {
  it('transfers data whose sequence numbers cross 0, in both directions, delivered once and in order', () => {
    const w = new Wire(client(2 ** 32 - 3), server(2 ** 32 - 2000));
    w.handshake();
    const up = 'x'.repeat(3000) + 'END';
    const down = 'y'.repeat(2500);
    w.apply('client', app({ op: 'send', data: up }));
    w.apply('server', app({ op: 'send', data: down }));
    w.flush();
    expect(w.ends.server.rcvBuf).toBe(up);
    expect(w.ends.client.rcvBuf).toBe(down);
    expect(w.ends.client.sndUna).toBe(seqAdd(2 ** 32 - 3, 1 + up.length));
    expect(w.ends.client.sndUna).toBeLessThan(10_000);
    expect(w.delivered.some((s) => s.from === 'client' && s.seq < 10_000 && s.len > 0)).toBe(true);
  });

  it('holds an out-of-order segment past the wrap and delivers it when the gap fills', () => {
    const w = new Wire(client(2 ** 32 - 1000, { mss: 1460 }), server(), 10_000);
    w.handshake();
    const data = 'a'.repeat(1460) + 'b'.repeat(1460);
    w.apply('client', app({ op: 'send', data }));
    let first = true;
    w.flush((s) => {
      const drop = first && s.from === 'client' && s.len > 0;
      if (drop) first = false;
      return drop;
    });
    expect(w.ends.server.rcvBuf).toBe('');
    expect(w.ends.server.outOfOrder).toHaveLength(1);
    w.now = w.ends.client.timers.retransmit!;
    w.apply('client', { kind: 'timer', timer: 'retransmit' });
    w.flush();
    expect(w.ends.server.rcvBuf).toBe(data);
    expect(w.ends.server.outOfOrder).toHaveLength(0);
  });
});

describe('closing', () => {
  it('a FIN arriving with the ACK of ours walks FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT, as §3.10.7.4 processes it', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'close' }));
    const fin = w.queue.shift()!.segment;
    w.now += 10_000;
    w.apply('server', seg(fin));
    w.queue = [];
    const r = w.apply('server', app({ op: 'close' }));
    const finAck = sent(r)[0]!;
    expect(finAck.ack).toBe(CLIENT_ISS + 2);
    const tw = endpointStep(w.ends.client, seg(finAck), w.now + 10_000);
    expect(tw.transition?.hops.map((hop) => [hop.from, hop.to, hop.edge?.inFigure])).toEqual([
      ['FIN-WAIT-1', 'FIN-WAIT-2', true],
      ['FIN-WAIT-2', 'TIME-WAIT', true],
    ]);
  });

  it('TIME-WAIT acknowledges a retransmitted FIN again and restarts 2·MSL', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'close' }));
    w.flush();
    w.apply('server', app({ op: 'close' }));
    const fin = w.queue[0]!.segment;
    w.flush();
    expect(w.ends.client.state).toBe('TIME-WAIT');
    const at = w.now + 5_000_000;
    const again = endpointStep(w.ends.client, seg(fin), at);
    expect(sent(again)[0]?.flags).toEqual(flags('ACK'));
    expect(again.endpoint.timers['time-wait']).toBe(at + 60_000_000);
  });

  it('close() with unread data sends RST, and data after close() is answered with RST', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'send', data: 'unread' }));
    w.flush();
    const r = w.apply('server', app({ op: 'close' }));
    expect(sent(r)[0]?.flags).toEqual(flags('RST', 'ACK'));
    expect(r.transition).toMatchObject({ from: 'ESTABLISHED', to: 'CLOSED', cause: 'app' });
    w.flush();
    expect(w.ends.client.state).toBe('CLOSED');
    expect(w.ends.client.error).toBe('ECONNRESET');

    const v = new Wire(client(), server());
    v.handshake();
    v.apply('server', app({ op: 'close' }));
    v.flush();
    expect(v.ends.server.state).toBe('FIN-WAIT-2');
    v.apply('client', app({ op: 'send', data: 'too late' }));
    v.flush();
    expect(v.ends.server.state).toBe('CLOSED');
    expect(v.ends.client.error).toBe('ECONNRESET');
  });
});

describe('RFC 5961 protections adopted by RFC 9293', () => {
  it('an in-window RST that is not at RCV.NXT draws a challenge ACK instead of a reset', () => {
    const w = new Wire(client(), server());
    w.handshake();
    const rst: SegmentDraft = { ...w.delivered[2]!, seq: CLIENT_ISS + 100, flags: flags('RST'), options: {} };
    const r = endpointStep(w.ends.server, seg(rst), w.now);
    expect(r.endpoint.state).toBe('ESTABLISHED');
    expect(sent(r)[0]).toMatchObject({ flags: flags('ACK'), ack: CLIENT_ISS + 1 });
  });

  it('a SYN on an established connection draws a challenge ACK', () => {
    const w = new Wire(client(), server());
    w.handshake();
    const r = endpointStep(w.ends.server, seg(w.delivered[0]!), w.now);
    expect(r.endpoint.state).toBe('ESTABLISHED');
    expect(sent(r)[0]?.flags).toEqual(flags('ACK'));
  });

  it('an ACK for data never sent is answered with an ACK and otherwise ignored', () => {
    const w = new Wire(client(), server());
    w.handshake();
    const r = endpointStep(w.ends.server, seg({ ...w.delivered[2]!, ack: SERVER_ISS + 500 }), w.now);
    expect(r.endpoint.sndUna).toBe(SERVER_ISS + 1);
    expect(sent(r)[0]?.flags).toEqual(flags('ACK'));
  });
});

describe('flow control', () => {
  it('stops at a zero window, probes with the persist timer, and resumes after the reader drains', () => {
    const w = new Wire(client(), server(SERVER_ISS, { rcvBufSize: 4000, windowScale: undefined }));
    w.handshake();
    const data = 'z'.repeat(10_000);
    w.apply('client', app({ op: 'send', data }));
    w.flush();
    expect(w.ends.server.rcvBuf.length).toBe(4000);
    expect(w.ends.client.sndWnd).toBe(0);
    expect(w.ends.client.timers.persist).toBeDefined();
    w.now = w.ends.client.timers.persist!;
    const probe = w.apply('client', { kind: 'timer', timer: 'persist' });
    expect(sent(probe)[0]).toMatchObject({ seq: w.ends.client.sndUna - 1, len: 0 });
    w.flush();
    let read = '';
    for (let i = 0; i < 10 && read.length < data.length; i++) {
      const r = w.apply('server', app({ op: 'recv', max: 4000 }));
      const res = r.effects.find((fx) => fx.kind === 'result');
      if (res?.kind === 'result' && res.result.ok) read += res.result.data ?? '';
      w.flush();
    }
    expect(read).toBe(data);
  });
});

describe('after a reset, as Linux reports it', () => {
  it('recv() returns the bytes already queued, then ECONNRESET once, then end of file', () => {
    const w = new Wire(client(), server());
    w.handshake();
    w.apply('client', app({ op: 'send', data: 'abc' }));
    w.flush();
    w.apply('client', app({ op: 'abort' }));
    w.flush();
    expect(w.ends.server.state).toBe('CLOSED');
    const results = [1, 2, 3].map(() => w.apply('server', app({ op: 'recv', max: 1024 })).effects.find((fx) => fx.kind === 'result'));
    expect(results.map((fx) => (fx?.kind === 'result' ? fx.result : undefined))).toEqual([
      { ok: true, data: 'abc' },
      { ok: false, error: 'ECONNRESET' },
      { ok: true, data: '', eof: true },
    ]);
  });
});

describe('a lost final ACK, then the FIN (RFC 9293 §3.10.7.4)', () => {
  it('walks SYN-RECEIVED → ESTABLISHED → CLOSE-WAIT, two arrows of Figure 5, not one that is not there', () => {
    const w = new Wire(client(), server());
    w.apply('server', app({ op: 'listen' }));
    w.apply('client', app({ op: 'connect' }));
    // Deliver the SYN and the SYN, ACK; lose the client's final ACK.
    w.flush((s) => s.flags.ACK && !s.flags.SYN);
    expect(w.ends.client.state).toBe('ESTABLISHED');
    expect(w.ends.server.state).toBe('SYN-RECEIVED');
    w.apply('client', app({ op: 'close' }));
    const fin = w.queue.shift()!.segment;
    const r = endpointStep(w.ends.server, seg(fin), w.now + 10_000);
    expect(r.transition?.hops.map((hop) => [hop.from, hop.to, hop.edge?.inFigure])).toEqual([
      ['SYN-RECEIVED', 'ESTABLISHED', true],
      ['ESTABLISHED', 'CLOSE-WAIT', true],
    ]);
  });
});
