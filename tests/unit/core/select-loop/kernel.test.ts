import { describe, expect, it } from 'vitest';
import type { Attempt, ConnectedSocket, Kernel } from '../../../../src/core/select-loop/kernel.ts';
import {
  SERVER_PORT,
  acceptConnection,
  bindSocket,
  clientConnects,
  closeSocket,
  connected,
  createKernel,
  findPeer,
  listenSocket,
  openSocket,
  peerCloses,
  peerDrains,
  peerResets,
  peerSends,
  openOtherFd,
  closeOtherFd,
  readiness,
  receive,
  transmit,
  writableSocket,
} from '../../../../src/core/select-loop/kernel.ts';

function listening(capacity = 16): { k: Kernel; lid: number } {
  const o = openSocket(createKernel(capacity));
  const k = listenSocket(bindSocket(o.kernel, o.id, { host: '127.0.0.1', port: SERVER_PORT }), o.id, 128);
  return { k, lid: o.id };
}

function done<T>(r: Attempt<T>): { kernel: Kernel; value: T } {
  if (r.kind !== 'done') throw new Error(r.kind === 'wait' ? r.why : r.errno);
  return r;
}

describe('kernel', () => {
  it('queues established connections (with their data) until accept(), and hands out the lowest free fd', () => {
    let { k, lid } = listening();
    expect(readiness(k, lid).readable).toBe(false);
    k = clientConnects(k, { name: 'A', kind: 'client', slowReader: false }, SERVER_PORT);
    k = peerSends(k, 'A', 'early');
    expect(readiness(k, lid).readable).toBe(true);
    const a = done(acceptConnection(k, lid));
    expect(a.value.fd).toBe(4);
    expect(a.value.blocking).toBe(true);
    expect(done(receive(a.kernel, a.value.id, 1024)).value).toBe('early');
    const closed = closeSocket(done(receive(a.kernel, a.value.id, 1024)).kernel, a.value.id);
    const again = openSocket(closed);
    expect(again.fd).toBe(4);
  });

  it('a peer reset: ECONNRESET once on recv, then EOF; sends fail with ECONNRESET, then EPIPE; readable and writable', () => {
    let { k, lid } = listening();
    k = clientConnects(k, { name: 'A', kind: 'client', slowReader: false }, SERVER_PORT);
    const a = done(acceptConnection(k, lid));
    k = peerResets(peerSends(a.kernel, 'A', 'lost'), 'A');
    expect(readiness(k, a.value.id)).toEqual({ readable: true, writable: true });
    const first = receive(k, a.value.id, 10);
    expect(first).toMatchObject({ kind: 'error', errno: 'ECONNRESET' });
    const after = first.kind === 'error' ? first.kernel : k;
    expect(done(receive(after, a.value.id, 10)).value).toBe('');
    expect(transmit(after, a.value.id, 'x')).toMatchObject({ kind: 'error', errno: 'EPIPE' });
    expect(transmit(k, a.value.id, 'x')).toMatchObject({ kind: 'error', errno: 'ECONNRESET' });
    expect(findPeer(k, 'A')?.state).toBe('reset');
  });

  it('an epoll fd takes the lowest free descriptor like a socket, and frees it on close', () => {
    const e = openOtherFd(createKernel());
    expect(e.fd).toBe(3);
    const s = openSocket(e.kernel);
    expect(s.fd).toBe(4);
    expect(openSocket(closeOtherFd(s.kernel, 3)).fd).toBe(3);
  });

  it('returns EOF only after the buffered bytes, and again on every later call', () => {
    let { k, lid } = listening();
    k = peerCloses(peerSends(clientConnects(k, { name: 'A', kind: 'client', slowReader: false }, SERVER_PORT), 'A', 'xy'), 'A');
    const a = done(acceptConnection(k, lid));
    const first = done(receive(a.kernel, a.value.id, 1));
    expect(first.value).toBe('x');
    const second = done(receive(first.kernel, a.value.id, 1024));
    expect(second.value).toBe('y');
    expect(done(receive(second.kernel, a.value.id, 1024)).value).toBe('');
    expect(done(receive(second.kernel, a.value.id, 1024)).value).toBe('');
  });

  it('takes part of a send when the buffer is nearly full, and reports writable as Linux does', () => {
    let { k, lid } = listening(16);
    k = clientConnects(k, { name: 'S', kind: 'client', slowReader: true }, SERVER_PORT);
    const a = done(acceptConnection(k, lid));
    const sent = done(transmit(a.kernel, a.value.id, 'x'.repeat(20)));
    expect(sent.value).toBe(16);
    expect(transmit(sent.kernel, a.value.id, 'more').kind).toBe('wait');
    const sock = (kk: Kernel) => connected(kk, a.value.id) as ConnectedSocket;
    expect(writableSocket(sock(sent.kernel))).toBe(false);
    // 12 queued, 4 free: free space is under half the queue, so still not writable.
    const d4 = peerDrains(sent.kernel, 'S', 4);
    expect(writableSocket(sock(d4))).toBe(false);
    const refill = done(transmit(d4, a.value.id, 'abcdef'));
    expect(refill.value).toBe(4);
    // 16 queued again; reading 6 leaves 10 queued and 6 free, at least half the queue: writable.
    const d6 = peerDrains(refill.kernel, 'S', 6);
    expect(sock(d6).sendBuffer.length).toBe(10);
    expect(writableSocket(sock(d6))).toBe(true);
    expect(findPeer(d6, 'S')?.received).toBe('x'.repeat(10));
  });

  it('sends the FIN after the last queued byte, and resets when bytes were left unread', () => {
    let { k, lid } = listening(16);
    k = clientConnects(k, { name: 'S', kind: 'client', slowReader: true }, SERVER_PORT);
    const a = done(acceptConnection(k, lid));
    const sent = done(transmit(a.kernel, a.value.id, 'abc'));
    const closed = closeSocket(sent.kernel, a.value.id);
    expect(connected(closed, a.value.id)).toMatchObject({ fd: undefined, closed: true, sendBuffer: 'abc' });
    expect(findPeer(closed, 'S')?.finReceived).toBe(false);
    const drained = peerDrains(closed, 'S', 3);
    expect(connected(drained, a.value.id)).toBeUndefined();
    expect(findPeer(drained, 'S')).toMatchObject({ received: 'abc', finReceived: true });

    let r = clientConnects(listening().k, { name: 'R', kind: 'client', slowReader: false }, SERVER_PORT);
    r = peerSends(r, 'R', 'unread');
    const listener = r.sockets.find((s) => s.kind === 'listening')!;
    const rAccepted = done(acceptConnection(r, listener.id));
    expect(findPeer(closeSocket(rAccepted.kernel, rAccepted.value.id), 'R')?.state).toBe('reset');
  });

  it('refuses a connection when nothing listens', () => {
    const k = clientConnects(createKernel(), { name: 'A', kind: 'client', slowReader: false }, SERVER_PORT);
    expect(findPeer(k, 'A')).toMatchObject({ state: 'refused', socket: undefined });
    expect(k.sockets).toEqual([]);
  });
});
