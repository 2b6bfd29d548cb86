import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { applyInput, findPeer, inputText, possibleInputs, stepLoop } from '../../../../src/core/select-loop/index.ts';
import { last, settle, loop } from './support/runs.ts';

const listening = (id: string): LoopWorld => last(settle(loop(id, 'live')));

describe('network inputs', () => {
  it('a connect before listen() is refused with RST', () => {
    const w = stepLoop(loop('blocking-echo', 'live'), { kind: 'connect', client: 'A' });
    expect(findPeer(w.kernel, 'A')?.state).toBe('refused');
    expect(w.event.explanation).toMatch(/answers the SYN with RST.*ConnectionRefusedError/);
    expect(applyInput(w, { kind: 'send', client: 'A', data: 'x' })).toEqual({ ok: false, why: 'A is not connected' });
  });

  it('says why an input cannot happen', () => {
    let w = listening('selectors-server');
    w = stepLoop(w, { kind: 'connect', client: 'A' });
    const why = (i: Parameters<typeof applyInput>[1]) => {
      const r = applyInput(w, i);
      return r.ok ? 'ok' : r.why;
    };
    expect(why({ kind: 'connect', client: 'A' })).toBe('A has already connected once');
    expect(why({ kind: 'drain', client: 'A', bytes: 4 })).toBe('A is not a slow reader: it reads everything at once');
    expect(why({ kind: 'send', client: 'A', data: '' })).toBe('there is nothing to send');
    expect(why({ kind: 'send', client: 'A', data: 'π' })).toBe('data must be bytes, one character per byte');
    expect(why({ kind: 'type', text: 'hi' })).toBe('this program does not read its terminal');
    w = stepLoop(w, { kind: 'close', client: 'A' });
    expect(why({ kind: 'close', client: 'A' })).toBe('A has already closed its end');
    expect(why({ kind: 'reset', client: 'A' })).toBe('A has already closed its end');
  });

  it('a client that resets leaves an RST for the program: its next recv() raises ConnectionResetError', () => {
    let w = stepLoop(listening('blocking-echo'), { kind: 'connect', client: 'A' });
    w = last(settle(w));
    w = stepLoop(w, { kind: 'reset', client: 'A' });
    expect(findPeer(w.kernel, 'A')?.state).toBe('reset');
    const end = last(settle(w));
    expect(end.tracebacks.map((t) => [t.type, t.message])).toEqual([['ConnectionResetError', '[Errno 104] Connection reset by peer']]);
    expect(end.exited).toBe(true);
  });

  it("a client typing into nc sends the line with its newline, UTF-8 encoded", () => {
    let w = stepLoop(listening('blocking-echo'), { kind: 'connect', client: 'A' });
    w = stepLoop(w, { kind: 'type', client: 'A', text: 'hé' });
    expect(findPeer(w.kernel, 'A')?.sent).toBe('h\xc3\xa9\n');
    expect(w.event.explanation).toMatch(/^A types 'hé' into nc, which sends b'h\\xc3\\xa9\\n'/);
  });

  it('a scheduled input that cannot happen is skipped with an explanation', () => {
    const worlds = settle(loop('chat-client-fixed', 'one-client'));
    const skipped = worlds.filter((w) => /the scenario skips it/.test(w.event.explanation));
    // A's send still happens: to a chat client it is another user's message, relayed by the server.
    expect(skipped.map((w) => w.event.input?.kind)).toEqual(['connect', 'close']);
    expect(last(worlds).output).toEqual(['hello', '']);
    expect(skipped[0]?.event.explanation).toBe('A connects cannot happen now (clients connect to server programs only), so the scenario skips it.');
  });

  it('offers the learner inputs that can happen now', () => {
    const server = stepLoop(listening('selectors-server'), { kind: 'connect', client: 'A' });
    expect(possibleInputs(server).map(inputText)).toEqual(["B connects", "A sends b'hi from A\\n'", 'A closes', 'A resets the connection']);
    const chat = listening('chat-client-buggy');
    expect(possibleInputs(chat).map(inputText)).toEqual(["the user types 'hello'", "B sends b'hi from B'", 'chat server closes']);
    expect(possibleInputs(last(settle(loop('selectors-client', 'echo-server'))))).toEqual([]);
  });
});
