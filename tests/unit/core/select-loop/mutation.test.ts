import { describe, expect, it } from 'vitest';
import type { LoopWorld } from '../../../../src/core/select-loop/index.ts';
import { findPeer, programInfo, runSource } from '../../../../src/core/select-loop/index.ts';
import { programById, programText } from '../../../../src/client/loop-programs.ts';

/** The program's text drives the run: change a line and the run changes with it. */
function run(id: string, text: string, scenario: string): LoopWorld {
  const r = runSource(programInfo(id), text, scenario);
  if (!r.ok) throw new Error(r.problem.message);
  return r.run.worlds[r.run.worlds.length - 1] as LoopWorld;
}

function edited(id: string, from: string, to: string): string {
  const text = programText(id);
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('mutation guard: the .py text is what runs', () => {
  it('EVENT_READ → EVENT_WRITE in the read test: the selectors server never reads, so nothing is echoed', () => {
    const original = run('selectors-server', programText('selectors-server'), 'one-client');
    const mutant = run('selectors-server', edited('selectors-server', 'if mask & selectors.EVENT_READ:', 'if mask & selectors.EVENT_WRITE:'), 'one-client');
    expect(findPeer(original.kernel, 'A')?.received).toBe('hello\n');
    expect(findPeer(mutant.kernel, 'A')?.received).not.toBe('hello\n');
  });

  it('data.outb += recv_data → = : bytes still waiting for a slow reader are overwritten by the next piece', () => {
    const schedule = [
      { kind: 'connect', client: 'A', slowReader: true },
      { kind: 'send', client: 'A', data: 'twenty bytes, first\n' },
      { kind: 'send', client: 'A', data: 'second\n' },
      { kind: 'drain', client: 'A', bytes: 100 },
      { kind: 'drain', client: 'A', bytes: 100 },
      { kind: 'close', client: 'A' },
    ] as const;
    const echoed = (t: string) => {
      const r = runSource(programInfo('selectors-server'), t, 'live', { schedule, sendBuffer: 16 });
      if (!r.ok) throw new Error(r.problem.message);
      return findPeer((r.run.worlds[r.run.worlds.length - 1] as LoopWorld).kernel, 'A')?.received;
    };
    expect(echoed(programText('selectors-server'))).toBe('twenty bytes, first\nsecond\n');
    expect(echoed(edited('selectors-server', 'data.outb += recv_data', 'data.outb = recv_data'))).toBe('twenty bytes, fisecond\n');
  });

  it('an upper-case echo echoes in upper case', () => {
    const mutant = run('selectors-server', edited('selectors-server', 'data.outb += recv_data', 'data.outb += recv_data.upper()'), 'one-client');
    expect(findPeer(mutant.kernel, 'A')?.received).toBe('HELLO\n');
  });

  it('a changed message in the chat client is what the chat server receives', () => {
    const mutant = run('chat-client-fixed', edited('chat-client-fixed', 'sock.sendall(msg.encode())', 'sock.sendall(msg.upper().encode())'), 'chat');
    expect(findPeer(mutant.kernel, 'chat server')?.received).toBe('HELLO FROM ATHANKS');
  });

  it('a changed port is where clients connect', () => {
    const mutant = run('blocking-echo', edited('blocking-echo', 'PORT = 65432', 'PORT = 9000'), 'one-client');
    expect(mutant.kernel.sockets.find((s) => s.kind === 'listening')?.local?.port).toBe(9000);
    expect(findPeer(mutant.kernel, 'A')?.received).toBe('hello\n');
  });

  it('notes kept beside a program follow a line’s text, wherever an edit moves it', () => {
    const note = programById('selectors-server').notes['sel.unregister(sock)'];
    expect(note).toBeDefined();
    const moved = `# an edit that moves every line down\n\n${programText('selectors-server')}`;
    const r = runSource(programInfo('selectors-server'), moved, 'one-client', {}, programById('selectors-server').notes);
    if (!r.ok) throw new Error(r.problem.message);
    const step = r.run.worlds.find((w) => w.event.calls?.some((c) => c.call === 'unregister') === true);
    expect(step?.event.line).toBe(34);
    expect(step?.event.explanation).toContain(note);
  });
});
