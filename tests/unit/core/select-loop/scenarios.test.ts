import { describe, expect, it } from 'vitest';
import type { CallRecord, LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { SERVER_PORT, findPeer, findSocket, isWaitingForNetwork, runLoop, scenarioById, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { firstWhere, last, loop, settle } from './support/runs.ts';

const main = (w: LoopWorld) => w.threads[0];
const listener = (w: LoopWorld) => w.kernel.sockets.find((s) => s.kind === 'listening' && s.local?.port === SERVER_PORT);
const calls = (w: LoopWorld, call: string): readonly CallRecord[] => (w.event.calls ?? []).filter((c) => c.call === call);
const called = (w: LoopWorld, call: string, pred: (c: CallRecord) => boolean = () => true) => calls(w, call).some(pred);

describe('blocking echo server', () => {
  const worlds = settle(loop('blocking-echo', 'three-clients'));

  it("leaves B's established connection in the accept queue while it blocks in recv() for A", () => {
    const w = firstWhere(worlds, (x) => {
      const l = listener(x);
      return l?.kind === 'listening' && l.acceptQueue.length > 0 && main(x)?.wait?.call === 'recv';
    });
    expect(w).toBeDefined();
    const l = listener(w as LoopWorld);
    const queued = l?.kind === 'listening' ? findSocket((w as LoopWorld).kernel, l.acceptQueue[0] as number) : undefined;
    expect(queued).toMatchObject({ kind: 'connected', fd: undefined, peerName: 'B' });
    expect(main(w as LoopWorld)?.wait).toEqual({ call: 'recv', fd: 4, max: 1024 });
    expect(main(w as LoopWorld)?.line).toBe(15);
    expect(main(w as LoopWorld)?.locals['addr']).toBe("('127.0.0.1', 50001)");
  });

  it('takes data sent before accept() from the queued connection at once, and serves everyone in turn', () => {
    const acceptedB = worlds.findIndex((x) => called(x, 'accept', (c) => c.peer === 'B'));
    const aClosed = worlds.findIndex((x) => x.event.kind === 'network' && x.event.input?.kind === 'close' && x.event.input.client === 'A');
    expect(acceptedB).toBeGreaterThan(aClosed);
    const firstRecvForB = worlds.slice(acceptedB).find((x) => called(x, 'recv'));
    expect(calls(firstRecvForB as LoopWorld, 'recv')[0]).toMatchObject({ fd: 4, result: "b'hi from B\\n'", peer: 'B' });
    expect(last(worlds).output).toEqual(["Connected by ('127.0.0.1', 50001)", "Connected by ('127.0.0.1', 50002)", "Connected by ('127.0.0.1', 50003)"]);
  });

  it('reuses fd 4 for each client in turn: the lowest free descriptor', () => {
    const fds = worlds.flatMap((x) => calls(x, 'accept').map((c) => c.result));
    expect(fds).toEqual(['fd 4', 'fd 4', 'fd 4']);
    const conns = worlds.filter((x) => x.event.line === 11).map((x) => x.threads[0]?.locals['conn']);
    for (const r of conns) expect(r).toMatch(/^<socket\.socket fd=4,/);
  });
});

describe('non-blocking busy loop', () => {
  it('counts each BlockingIOError as a wasted try, and keeps spinning with nothing to do', () => {
    const worlds = settle(loop('nonblocking-busy', 'one-client'));
    const end = last(worlds);
    const raised = worlds.flatMap((w) => w.event.calls ?? []).filter((c) => c.raised?.startsWith('BlockingIOError') === true).length;
    expect(end.counters.wastedTries).toBe(raised);
    expect(end.counters.wastedTries).toBeGreaterThanOrEqual(6);
    expect(end.counters.wastedPasses).toBeGreaterThanOrEqual(3);
    expect(findPeer(end.kernel, 'A')?.received).toBe('hello\n');
    // It never blocks: once the schedule is done it still has lines to run, each another wasted try.
    expect(end.threads[0]?.wait).toBeUndefined();
    const more = runLoop(end, 40);
    expect(more).toHaveLength(41);
    expect(last(more).counters.wastedTries).toBeGreaterThan(end.counters.wastedTries);
  });

  it('survives a client that resets: the ConnectionResetError is caught and the socket dropped', () => {
    const end = last(settle(loop('nonblocking-busy', 'client-resets')));
    expect(end.tracebacks).toEqual([]);
    expect(end.exited).toBe(false);
    expect(findPeer(end.kernel, 'B')?.received).toBe('still here\n');
    expect(end.kernel.sockets.filter((s) => s.fd !== undefined).map((s) => s.fd)).toEqual([3]);
  });
});

describe('selectors server', () => {
  it('takes fd 3 for the epoll instance, like CPython, so the listener is fd 4', () => {
    const worlds = settle(loop('selectors-server', 'one-client'));
    const created = worlds.flatMap((w) => w.event.calls ?? []).filter((c) => c.call === 'DefaultSelector' || c.call === 'socket' || c.call === 'accept');
    expect(created.map((c) => [c.call, c.fd, c.result])).toEqual([
      ['DefaultSelector', 3, 'epoll fd 3'],
      ['socket', 4, 'fd 4'],
      ['accept', 4, 'fd 5'],
    ]);
  });

  it('with a slow reader, send() takes only part of data.outb and a later EVENT_WRITE sends the rest', () => {
    const worlds = settle(loop('selectors-server', 'slow-reader'));
    const partial = worlds.find((w) => called(w, 'send', (c) => c.bytes === 16));
    expect(partial?.event.line).toBe(37);
    const after = worlds.slice(worlds.indexOf(partial as LoopWorld));
    // While the buffer is full select() has nothing to report: it blocks, with bytes still in outb.
    const waiting = after.find((w) => w.threads[0]?.wait?.call === 'select');
    expect(waiting?.selector?.registry.find((r) => r.fd === 5)?.dataView?.['outb']).toBe("b'ger than 16 bytes\\n'");
    const laterWrite = after.find((w) => w.event.line === 50 && w.selector?.lastSelect?.some((r) => r.fd === 5 && r.events.join('|') === 'EVENT_WRITE'));
    expect(laterWrite).toBeDefined();
    expect(findPeer(last(worlds).kernel, 'A')?.received).toBe('this line is longer than 16 bytes\n');
  });

  it('never reports a socket that is not ready, and blocks in select() when none is', () => {
    const worlds = settle(loop('selectors-server', 'three-clients'));
    const blocked = worlds.filter((w) => w.threads[0]?.wait?.call === 'select');
    expect(blocked.length).toBeGreaterThan(0);
    const returns = worlds.filter((w) => called(w, 'select'));
    expect(returns[0]?.selector?.lastSelect).toEqual([{ fd: 4, sock: expect.any(Number), mask: 1, events: ['EVENT_READ'] }]);
    expect(returns.some((w) => w.selector?.lastSelect?.some((r) => r.events.length === 2) === true)).toBe(true);
  });

  it('spins on EVENT_WRITE while a connection is open: an empty send buffer is always writable', () => {
    const end = last(settle(loop('selectors-server', 'one-client')));
    expect(end.counters.wastedPasses).toBeGreaterThan(0);
    expect(end.counters.wastedTries).toBe(0);
    expect(end.selector?.registry.map((r) => r.fd)).toEqual([4]);
    expect(end.threads[0]?.wait).toEqual({ call: 'select', fds: [4] });
  });

  it('the modify() server registers EVENT_WRITE only while it has bytes to send, and wastes no turns', () => {
    const plain = last(settle(loop('selectors-server', 'three-clients')));
    const worlds = settle(loop('selectors-server-modify', 'three-clients'));
    const end = last(worlds);
    for (const p of end.kernel.peers) expect(p.received).toBe(p.sent);
    expect(end.counters.selectCalls).toBeLessThan(plain.counters.selectCalls);
    expect(end.counters.wastedPasses).toBe(0);
    const modes = worlds.flatMap((w) => calls(w, 'modify').map((c) => c.args?.[0]));
    expect(modes.slice(0, 2)).toEqual(['EVENT_READ|EVENT_WRITE', 'EVENT_READ']);
  });

  it("unregisters and closes a connection when recv() returns b''", () => {
    const worlds = settle(loop('selectors-server', 'disconnect'));
    const i = worlds.findIndex((w) => called(w, 'unregister'));
    expect(worlds[i]?.event.line).toBe(32);
    expect(worlds[i]?.selector?.registry.some((r) => r.fd === 6)).toBe(false);
    expect(worlds[i]?.kernel.sockets.some((s) => s.fd === 6)).toBe(true);
    expect(worlds[i + 1]?.kernel.sockets.some((s) => s.fd === 6)).toBe(false);
    expect(last(worlds).output).toContain("Closing connection to ('127.0.0.1', 50002)");
  });

  it.each(['selectors-server', 'selectors-server-modify'])('%s survives a client that resets', (id) => {
    const worlds = settle(loop(id, 'client-resets'));
    const end = last(worlds);
    expect(end.tracebacks).toEqual([]);
    const reset = worlds.flatMap((w) => calls(w, 'recv')).find((c) => c.raised !== undefined);
    expect(reset?.raised).toBe('ConnectionResetError: [Errno 104] Connection reset by peer');
    expect(findPeer(end.kernel, 'B')?.received).toBe('still here\n');
    expect(end.output).toContain("Closing connection to ('127.0.0.1', 50001)");
  });
});

describe('a message split across two segments', () => {
  it.each(['blocking-echo', 'nonblocking-busy', 'selectors-server'] as const)('%s needs two recv() calls for "hello\\n"', (id) => {
    const worlds = settle(loop(id, 'split-message'));
    const reads = worlds.flatMap((w) => calls(w, 'recv').filter((c) => c.raised === undefined && c.bytes !== 0).map((c) => c.result));
    expect(reads).toEqual(["b'hel'", "b'lo\\n'"]);
    expect(findPeer(last(worlds).kernel, 'A')?.received).toBe('hello\n');
  });

  it('the chat server passes the two pieces on as two broadcasts', () => {
    const schedule = [{ kind: 'connect', client: 'Z' } as const, ...scenarioById('split-message').events];
    const worlds = settle(loop('chat-server', 'split-message', { schedule }));
    expect(findPeer(last(worlds).kernel, 'Z')?.received).toBe('hello\n');
    expect(worlds.filter((x) => called(x, 'recv', (c) => (c.bytes ?? 0) > 0))).toHaveLength(2);
  });
});

describe('threaded chat server', () => {
  it('shows each thread, its line and what it waits for', () => {
    const worlds = settle(loop('chat-server', 'three-clients'));
    const busy = worlds.find((w) => w.threads.length === 4);
    expect(busy?.threads.map((t) => t.name)).toEqual(['MainThread', 'Thread-1 (handle)', 'Thread-2 (handle)', 'Thread-3 (handle)']);
    const quiet = worlds.find((w) => w.threads.length === 4 && w.threads.every((t) => t.wait !== undefined));
    expect(quiet?.threads[0]?.wait).toEqual({ call: 'accept', fd: 3 });
    expect(quiet?.threads[1]).toMatchObject({ line: 25, stack: ['handle'] });
    expect(quiet?.threads[1]?.wait).toEqual({ call: 'recv', fd: 4, max: 1024 });
  });

  it('broadcasts to everyone but the sender, and forgets a client that leaves', () => {
    const end = last(settle(loop('chat-server', 'disconnect')));
    const got = (n: string) => findPeer(end.kernel, n)?.received;
    expect(got('A')).toBe('bye from B\nyes\n');
    expect(got('B')).toBe('');
    expect(got('C')).toBe('bye from B\nis B gone?\n');
    expect(end.output).toContain("('127.0.0.1', 50002) disconnected");
    expect(end.threads.map((t) => t.name)).toEqual(['MainThread']);
  });

  it('a client that resets is removed in finally, and the room carries on', () => {
    const end = last(settle(loop('chat-server', 'client-resets')));
    expect(end.tracebacks).toEqual([]);
    expect(end.output).toContain("('127.0.0.1', 50001) disconnected");
    expect(findPeer(end.kernel, 'B')?.received).toBe('hi from A\n');
    expect(end.threads.map((t) => t.name)).toEqual(['MainThread']);
  });

  it('a thread blocked in sendall() to a slow reader holds the lock, and the next broadcaster waits for it', () => {
    let w = loop('chat-server', 'live', { sendBuffer: 8 });
    w = settle(w).at(-1) as LoopWorld;
    for (const input of [
      { kind: 'connect', client: 'A', slowReader: true },
      { kind: 'connect', client: 'B' },
      { kind: 'connect', client: 'C' },
    ] as const) {
      w = settle(stepLoop(w, input)).at(-1) as LoopWorld;
    }
    w = settle(stepLoop(w, { kind: 'send', client: 'B', data: 'a long message from B\n' })).at(-1) as LoopWorld;
    w = settle(stepLoop(w, { kind: 'send', client: 'C', data: 'hi\n' })).at(-1) as LoopWorld;
    const t2 = w.threads.find((t) => t.name === 'Thread-2 (handle)');
    const t3 = w.threads.find((t) => t.name === 'Thread-3 (handle)');
    expect(t2?.wait).toEqual({ call: 'sendall', fd: 4, remaining: 14, total: 22 });
    expect(t3?.wait).toEqual({ call: 'lock', holder: 'Thread-2 (handle)' });
    for (let i = 0; i < 10; i++) w = settle(stepLoop(w, { kind: 'drain', client: 'A', bytes: 100 })).at(-1) as LoopWorld;
    expect(findPeer(w.kernel, 'A')?.received).toBe('a long message from B\nhi\n');
    expect(w.threads.every((t) => t.wait?.call === 'recv' || t.wait?.call === 'accept')).toBe(true);
  });
});

describe('selectors client', () => {
  it('connects with connect_ex, sends both messages per connection, and closes each once every byte is back', () => {
    const worlds = settle(loop('selectors-client', 'echo-server'));
    const end = last(worlds);
    expect(end.exited).toBe(true);
    expect(end.threads).toEqual([]);
    expect(end.output.filter((l) => l.startsWith('Closing connection'))).toEqual(['Closing connection 1', 'Closing connection 2']);
    for (const p of end.kernel.peers) {
      expect(p.kind).toBe('echo-server');
      expect(p.received).toBe('Message 1 from client.Message 2 from client.');
      expect(p.sent).toBe(p.received);
      expect(p.finReceived && p.finSent).toBe(true);
    }
    expect(end.kernel.sockets).toEqual([]);
    expect(end.selector?.closed).toBe(true);
    const connects = worlds.flatMap((w) => calls(w, 'connect_ex'));
    expect(connects.map((c) => [c.fd, c.result])).toEqual([
      [4, '115'],
      [5, '115'],
    ]);
    expect(stepLoop(end)).toBe(end);
  });
});

describe('chat clients', () => {
  const printedAt = (worlds: readonly LoopWorld[], text: string) => worlds.findIndex((w) => w.output.includes(text));
  const sentAt = (worlds: readonly LoopWorld[], text: string) => worlds.findIndex((w) => called(w, 'sendall', (c) => c.args?.[0] === `b'${text}'` && c.result !== undefined));

  it("the single-threaded client prints others' messages only after its own send, run together", () => {
    const worlds = settle(loop('chat-client-buggy', 'chat'));
    const end = last(worlds);
    expect(end.output).toEqual(['> hello from A', 'hi, it is BC here', '> thanks', 'welcome A']);
    expect(printedAt(worlds, 'hi, it is BC here')).toBeGreaterThan(sentAt(worlds, 'hello from A'));
    expect(printedAt(worlds, 'welcome A')).toBeGreaterThan(sentAt(worlds, 'thanks'));
    const arrived = worlds.findIndex((w) => w.event.input?.kind === 'send' && w.event.input.data === 'hi, it is B');
    expect(worlds[arrived]?.threads[0]?.wait).toEqual({ call: 'input', prompt: '> ' });
  });

  it('the client with a receiving thread prints them as they arrive', () => {
    const worlds = settle(loop('chat-client-fixed', 'chat'));
    const end = last(worlds);
    expect(end.output).toEqual(['hi, it is B', 'C here', '> hello from A', 'welcome A', '> thanks']);
    expect(printedAt(worlds, 'hi, it is B')).toBeLessThan(sentAt(worlds, 'hello from A'));
    const arrived = worlds.findIndex((w) => w.event.input?.kind === 'send' && w.event.input.data === 'welcome A');
    expect(printedAt(worlds, 'welcome A') - arrived).toBeLessThanOrEqual(4);
    expect(end.threads.map((t) => [t.name, t.line])).toEqual([
      ['MainThread', 20],
      ['Thread-1 (receive)', 10],
    ]);
  });

  it('the buggy client cannot type while recv() waits for a reply that may never come', () => {
    let w = settle(loop('chat-client-buggy', 'live')).at(-1) as LoopWorld;
    w = settle(stepLoop(w, { kind: 'type', text: 'anyone?' })).at(-1) as LoopWorld;
    expect(w.threads[0]?.wait).toEqual({ call: 'recv', fd: 3, max: 1024 });
    w = stepLoop(w, { kind: 'close', client: 'chat server' });
    const end = settle(w).at(-1) as LoopWorld;
    expect(end.exited).toBe(true);
    expect(end.kernel.sockets).toEqual([]);
  });

  it('a message cut inside a UTF-8 character makes decode() raise in the receiving thread only', () => {
    let w = settle(loop('chat-client-fixed', 'live')).at(-1) as LoopWorld;
    w = settle(stepLoop(w, { kind: 'send', client: 'B', data: 'caf\xc3' })).at(-1) as LoopWorld;
    expect(w.tracebacks).toHaveLength(1);
    expect(w.tracebacks[0]).toMatchObject({ thread: 'Thread-1 (receive)', type: 'UnicodeDecodeError', message: "'utf-8' codec can't decode byte 0xc3 in position 3: unexpected end of data" });
    expect(w.output).toContain('Exception in thread Thread-1 (receive):');
    expect(w.threads.map((t) => t.name)).toEqual(['MainThread']);
    expect(isWaitingForNetwork(w)).toBe(true);
  });
});
