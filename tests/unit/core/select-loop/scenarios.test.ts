import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { SERVER_PORT, createLoop, findPeer, findSocket, isWaitingForNetwork, runLoop, scenarioById, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { firstWhere, last, settle } from './support/runs.ts';

const main = (w: LoopWorld) => w.threads[0];
const listener = (w: LoopWorld) => w.kernel.sockets.find((s) => s.kind === 'listening' && s.local?.port === SERVER_PORT);

describe('blocking echo server', () => {
  const worlds = settle(createLoop('blocking-echo', 'three-clients'));

  it("leaves B's established connection in the accept queue while it blocks in recv() for A", () => {
    const w = firstWhere(worlds, (x) => {
      const l = listener(x);
      return l?.kind === 'listening' && l.acceptQueue.length > 0 && main(x)?.blockedOn?.startsWith('recv(1024) on fd 4') === true;
    });
    expect(w).toBeDefined();
    const l = listener(w as LoopWorld);
    const queued = l?.kind === 'listening' ? findSocket((w as LoopWorld).kernel, l.acceptQueue[0] as number) : undefined;
    expect(queued).toMatchObject({ kind: 'connected', fd: undefined, peerName: 'B' });
    expect(main(w as LoopWorld)?.line).toBe(14);
    expect(main(w as LoopWorld)?.locals['addr']).toBe("('127.0.0.1', 50001)");
  });

  it('takes data sent before accept() from the queued connection at once, and serves everyone in turn', () => {
    const acceptedB = worlds.findIndex((x) => x.event.kind === 'line' && /takes B's connection/.test(x.event.explanation));
    const aClosed = worlds.findIndex((x) => x.event.kind === 'network' && x.event.input?.kind === 'close' && x.event.input.client === 'A');
    expect(acceptedB).toBeGreaterThan(aClosed);
    const firstRecvForB = worlds.slice(acceptedB).find((x) => x.event.line === 14);
    expect(firstRecvForB?.event.explanation).toMatch(/b'hi from B\\n'/);
    expect(last(worlds).output).toEqual(["Connected by ('127.0.0.1', 50001)", "Connected by ('127.0.0.1', 50002)", "Connected by ('127.0.0.1', 50003)"]);
  });

  it('reuses fd 4 for each client in turn: the lowest free descriptor', () => {
    const fds = worlds.filter((x) => x.event.line === 10).map((x) => x.threads[0]?.locals['conn']);
    expect(fds).toHaveLength(3);
    for (const r of fds) expect(r).toMatch(/^<socket\.socket fd=4,/);
  });
});

describe('non-blocking busy loop', () => {
  it('counts each BlockingIOError as a wasted try, and keeps spinning with nothing to do', () => {
    const worlds = settle(createLoop('nonblocking-busy', 'one-client'));
    const end = last(worlds);
    const raised = worlds.filter((w) => /raises BlockingIOError at once/.test(w.event.explanation)).length;
    expect(end.counters.wastedTries).toBe(raised);
    expect(end.counters.wastedTries).toBeGreaterThanOrEqual(6);
    expect(end.counters.wastedPasses).toBeGreaterThanOrEqual(3);
    expect(findPeer(end.kernel, 'A')?.received).toBe('hello\n');
    // It never blocks: once the schedule is done it still has lines to run, each another wasted try.
    expect(end.threads[0]?.blockedOn).toBeUndefined();
    const more = runLoop(end, 40);
    expect(more).toHaveLength(41);
    expect(last(more).counters.wastedTries).toBeGreaterThan(end.counters.wastedTries);
  });
});

describe('selectors server', () => {
  it('with a slow reader, send() takes only part of data.outb and a later EVENT_WRITE sends the rest', () => {
    const worlds = settle(createLoop('selectors-server', 'slow-reader'));
    const partial = worlds.find((w) => w.event.line === 34 && /takes only 16 of the 34 bytes/.test(w.event.explanation));
    expect(partial).toBeDefined();
    const after = worlds.slice(worlds.indexOf(partial as LoopWorld));
    // While the buffer is full select() has nothing to report: it blocks, with bytes still in outb.
    const waiting = after.find((w) => w.threads[0]?.blockedOn?.startsWith('select()') === true);
    expect(waiting?.selector?.registry.find((r) => r.fd === 4)?.dataView?.['outb']).toBe("b'ger than 16 bytes\\n'");
    const laterWrite = after.find((w) => w.event.line === 46 && w.selector?.lastSelect?.some((r) => r.fd === 4 && r.events.join('|') === 'EVENT_WRITE'));
    expect(laterWrite).toBeDefined();
    const finished = after.find((w) => w.event.line === 35 && /leaves b''/.test(w.event.explanation));
    expect(finished).toBeDefined();
    expect(findPeer(last(worlds).kernel, 'A')?.received).toBe('this line is longer than 16 bytes\n');
  });

  it('never reports a socket that is not ready, and blocks in select() when none is', () => {
    const worlds = settle(createLoop('selectors-server', 'three-clients'));
    const blocked = worlds.filter((w) => w.threads[0]?.blockedOn?.startsWith('select()') === true);
    expect(blocked.length).toBeGreaterThan(0);
    const returns = worlds.filter((w) => w.event.line === 46);
    expect(returns[0]?.event.explanation).toMatch(/^select\(\) returns \[\(key for fd 3, EVENT_READ\)\]: fd 3 has 1 connection waiting/);
    expect(returns.some((w) => /EVENT_READ\|EVENT_WRITE\).*: .*fd \d has \d+ bytes to read and room to write/.test(w.event.explanation))).toBe(true);
  });

  it('spins on EVENT_WRITE while a connection is open: an empty send buffer is always writable', () => {
    const end = last(settle(createLoop('selectors-server', 'one-client')));
    expect(end.counters.wastedPasses).toBeGreaterThan(0);
    expect(end.counters.wastedTries).toBe(0);
    expect(end.selector?.registry.map((r) => r.fd)).toEqual([3]);
    expect(end.threads[0]?.blockedOn).toMatch(/^select\(\): no registered socket is ready \(fd 3: no connection waiting\)/);
  });

  it('unregisters and closes a connection when recv() returns b\'\'', () => {
    const worlds = settle(createLoop('selectors-server', 'disconnect'));
    const i = worlds.findIndex((w) => w.event.line === 29);
    expect(worlds[i]?.selector?.registry.some((r) => r.fd === 5)).toBe(false);
    expect(worlds[i]?.kernel.sockets.some((s) => s.fd === 5)).toBe(true);
    expect(worlds[i + 1]?.kernel.sockets.some((s) => s.fd === 5)).toBe(false);
    expect(last(worlds).output).toContain("Closing connection to ('127.0.0.1', 50002)");
  });
});

describe('a message split across two segments', () => {
  it.each(['blocking-echo', 'nonblocking-busy', 'selectors-server'] as const)('%s needs two recv() calls for "hello\\n"', (id) => {
    const worlds = settle(createLoop(id, 'split-message'));
    const reads = worlds.flatMap((w) => /^recv\(1024\) returns (b'[^']+')/.exec(w.event.explanation)?.[1] ?? []);
    expect(reads).toEqual(["b'hel'", "b'lo\\n'"]);
    expect(findPeer(last(worlds).kernel, 'A')?.received).toBe('hello\n');
  });

  it('the chat server passes the two pieces on as two broadcasts', () => {
    const schedule = [{ kind: 'connect', client: 'Z' } as const, ...scenarioById('split-message').events];
    const worlds = settle(createLoop('chat-server', 'split-message', { schedule }));
    expect(findPeer(last(worlds).kernel, 'Z')?.received).toBe('hello\n');
    expect(worlds.filter((x) => x.event.line === 21 && /returns b'[^']/.test(x.event.explanation))).toHaveLength(2);
  });
});

describe('threaded chat server', () => {
  it('shows each thread, its line and what it waits for', () => {
    const worlds = settle(createLoop('chat-server', 'three-clients'));
    const busy = worlds.find((w) => w.threads.length === 4);
    expect(busy?.threads.map((t) => t.name)).toEqual(['MainThread', 'Thread-1 (handle)', 'Thread-2 (handle)', 'Thread-3 (handle)']);
    const quiet = worlds.find((w) => w.threads.length === 4 && w.threads.every((t) => t.blockedOn !== undefined));
    expect(quiet?.threads[0]?.blockedOn).toMatch(/^accept\(\) on fd 3/);
    expect(quiet?.threads[1]).toMatchObject({ line: 21, stack: ['handle'] });
    expect(quiet?.threads[1]?.blockedOn).toMatch(/^recv\(1024\) on fd 4/);
  });

  it('broadcasts to everyone but the sender, and forgets a client that leaves', () => {
    const end = last(settle(createLoop('chat-server', 'disconnect')));
    const got = (n: string) => findPeer(end.kernel, n)?.received;
    expect(got('A')).toBe('bye from B\nyes\n');
    expect(got('B')).toBe('');
    expect(got('C')).toBe('bye from B\nis B gone?\n');
    expect(end.output).toContain("('127.0.0.1', 50002) disconnected");
    expect(end.threads.map((t) => t.name)).toEqual(['MainThread']);
  });

  it('a thread blocked in sendall() to a slow reader holds the lock, and the next broadcaster waits for it', () => {
    let w = createLoop('chat-server', 'live', { sendBuffer: 8 });
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
    expect(t2?.blockedOn).toMatch(/^sendall\(\): send\(\) on fd 4: the send buffer is full/);
    expect(t3?.blockedOn).toBe('with clients_lock: the lock is held by Thread-2 (handle)');
    for (let i = 0; i < 10; i++) w = settle(stepLoop(w, { kind: 'drain', client: 'A', bytes: 100 })).at(-1) as LoopWorld;
    expect(findPeer(w.kernel, 'A')?.received).toBe('a long message from B\nhi\n');
    expect(w.threads.every((t) => t.blockedOn?.startsWith('recv') === true || t.blockedOn?.startsWith('accept') === true)).toBe(true);
  });
});

describe('selectors client', () => {
  it('connects with connect_ex, sends both messages per connection, and closes each once every byte is back', () => {
    const worlds = settle(createLoop('selectors-client', 'echo-server'));
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
    const before = worlds.find((w) => w.event.line === 19);
    expect(before?.event.explanation).toMatch(/returns 115 \(EINPROGRESS\)/);
    expect(stepLoop(end)).toBe(end);
  });
});

describe('chat clients', () => {
  const printedAt = (worlds: readonly LoopWorld[], text: string) => worlds.findIndex((w) => w.output.includes(text));
  const sentAt = (worlds: readonly LoopWorld[], text: string) => worlds.findIndex((w) => w.event.kind === 'line' && w.event.explanation.startsWith(`sendall() hands all of b'${text}'`));

  it("the single-threaded client prints others' messages only after its own send, run together", () => {
    const worlds = settle(createLoop('chat-client-buggy', 'chat'));
    const end = last(worlds);
    expect(end.output).toEqual(['> hello from A', 'hi, it is BC here', '> thanks', 'welcome A']);
    expect(printedAt(worlds, 'hi, it is BC here')).toBeGreaterThan(sentAt(worlds, 'hello from A'));
    expect(printedAt(worlds, 'welcome A')).toBeGreaterThan(sentAt(worlds, 'thanks'));
    const arrived = worlds.findIndex((w) => w.event.input?.kind === 'send' && w.event.input.data === 'hi, it is B');
    expect(worlds[arrived]?.threads[0]?.blockedOn).toBe('input("> "): waiting for the user to type a line');
  });

  it('the client with a receiving thread prints them as they arrive', () => {
    const worlds = settle(createLoop('chat-client-fixed', 'chat'));
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
    let w = settle(createLoop('chat-client-buggy', 'live')).at(-1) as LoopWorld;
    w = settle(stepLoop(w, { kind: 'type', text: 'anyone?' })).at(-1) as LoopWorld;
    expect(w.threads[0]?.blockedOn).toMatch(/^recv\(1024\) on fd 3: .*the user cannot type/);
    w = stepLoop(w, { kind: 'close', client: 'chat server' });
    const end = settle(w).at(-1) as LoopWorld;
    expect(end.exited).toBe(true);
    expect(end.kernel.sockets).toEqual([]);
  });

  it('a message cut inside a UTF-8 character makes decode() raise in the receiving thread only', () => {
    let w = settle(createLoop('chat-client-fixed', 'live')).at(-1) as LoopWorld;
    w = settle(stepLoop(w, { kind: 'send', client: 'B', data: 'caf\xc3' })).at(-1) as LoopWorld;
    expect(w.output).toContain("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 3: unexpected end of data");
    expect(w.output).toContain('Exception in thread Thread-1 (receive):');
    expect(w.threads.map((t) => t.name)).toEqual(['MainThread']);
    expect(isWaitingForNetwork(w)).toBe(true);
  });
});
