import { describe, expect, it } from 'vitest';
import { CHECKS, checksFor, costRatios, judge, runCheck, TESTABLE, type CheckResult } from '../../../../src/core/select-loop/checks.ts';
import { buildRun, loadProgram, type LoopWorld, type Program } from '../../../../src/core/select-loop/index.ts';
import { programById, programText } from '../../../../src/client/loop-programs.ts';

/** A course program with a learner's mistake in it. */
function edited(id: string, from: string, to: string): Program {
  const text = programText(id);
  expect(text).toContain(from);
  const loaded = loadProgram(programById(id), text.replace(from, to));
  if (!loaded.ok) throw new Error(loaded.problem.message);
  return loaded.program;
}

/** The journal's first chat server: no try/finally, and a broadcast that lets one failed send end the speaker's thread. */
const CHAT_WITHOUT_FINALLY = `import socket
import threading

HOST = "127.0.0.1"
PORT = 65432

clients = []
clients_lock = threading.Lock()


def broadcast(message, sender):
    with clients_lock:
        for client in clients:
            if client is not sender:
                client.sendall(message)


def handle(conn, addr):
    buffer = b""
    while True:
        data = conn.recv(1024)
        if not data:
            break
        buffer += data
        while b"\\n" in buffer:
            line, buffer = buffer.split(b"\\n", 1)
            broadcast(line + b"\\n", conn)
    with clients_lock:
        clients.remove(conn)
    conn.close()


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, PORT))
    server.listen()
    while True:
        conn, addr = server.accept()
        with clients_lock:
            clients.append(conn)
        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
`;

function chatWithoutFinally(): Program {
  const loaded = loadProgram(programById('chat-server-framed'), CHAT_WITHOUT_FINALLY);
  if (!loaded.ok) throw new Error(loaded.problem.message);
  return loaded.program;
}

const failing = (program: Program, suite: 'echo' | 'chat') =>
  Object.fromEntries(
    checksFor(suite)
      .map((check) => runCheck(program, check))
      .filter((result) => !result.pass)
      .map((result) => [result.check.id, result]),
  ) as Record<string, CheckResult>;

const worldAt = (program: Program, result: CheckResult): LoopWorld => buildRun(program, result.check.scenario).worlds[result.step] as LoopWorld;

describe('Test my server: the reference programs', () => {
  it.each([
    ['selectors-server-modify', 'echo'],
    ['chat-server-framed', 'chat'],
    ['asyncio-echo-server', 'echo'],
    ['asyncio-chat-server', 'chat'],
  ] as const)('%s passes every %s check', (id, suite) => {
    expect(Object.keys(failing(programById(id), suite))).toEqual([]);
  });

  it('every course server has a suite, and every check belongs to one', () => {
    for (const [id, { suite, reference }] of Object.entries(TESTABLE)) {
      expect(programById(id).role).toBe('server');
      expect(TESTABLE[reference]?.suite).toBe(suite);
    }
    expect(new Set(CHECKS.map((check) => `${check.suite}-${check.number}`)).size).toBe(CHECKS.length);
  });
});

describe('Test my server: broken programs fail exactly the checks they should, at the step that decided it', () => {
  it('the sequential echo server leaves clients unanswered while it serves one', () => {
    const program = programById('blocking-echo');
    const failed = failing(program, 'echo');
    expect(Object.keys(failed).sort()).toEqual(['echo-abrupt', 'echo-order', 'echo-pieces', 'echo-slow']);
    const order = failed['echo-order']!;
    expect(order.finding).toMatchObject({ kind: 'unanswered', client: 'A', missing: 'hi from A\n', served: false });
    // A's reset raises ConnectionResetError in the only thread: the process ends, and the clients queued behind A are reset with it.
    const abrupt = failed['echo-abrupt']!;
    expect(abrupt.finding).toMatchObject({ kind: 'exited' });
    expect(abrupt.crash).toMatchObject({ thread: 'MainThread', type: 'ConnectionResetError' });
    expect(worldAt(program, abrupt).tracebacks).toHaveLength(1);
    // The server is waiting in recv() on C's connection (fd 4), the first it accepted.
    if (order.finding?.kind !== 'unanswered') throw new Error('expected unanswered');
    expect(order.finding.threads).toEqual([{ thread: 'MainThread', line: expect.any(Number), wait: expect.objectContaining({ call: 'recv', fd: 4 }) }]);
    // A was never served: the step named is the one where A's bytes arrived.
    expect(worldAt(program, order).event.input).toEqual({ kind: 'send', client: 'A', data: 'hi from A\n' });
  });

  it('the busy loop spins while it waits, and crashes when send() would block', () => {
    const program = programById('nonblocking-busy');
    const failed = failing(program, 'echo');
    expect(Object.keys(failed).sort()).toEqual(['echo-large', 'echo-slow']);
    expect(failed['echo-slow']!.finding).toMatchObject({ kind: 'spinning' });
    const large = failed['echo-large']!;
    expect(large.crash).toMatchObject({ thread: 'MainThread', type: 'BlockingIOError' });
    expect(large.step).toBe(large.crash!.step);
    expect(worldAt(program, large).tracebacks).toHaveLength(1);
  });

  it('the asyncio server with one blocking call freezes every client', () => {
    const failed = failing(programById('asyncio-echo-blocking'), 'echo');
    expect(Object.keys(failed).sort()).toEqual(['echo-abrupt', 'echo-large', 'echo-order', 'echo-pieces', 'echo-slow']);
    expect(failed['echo-order']!.finding).toMatchObject({ kind: 'unanswered', client: 'A' });
  });

  it('an asyncio server that holds a reply on a timer (asyncio.sleep) is not the blocking bug: the loop serves the others meanwhile', () => {
    const program = edited('asyncio-echo-blocking', 'time.sleep(1)', 'await asyncio.sleep(1)');
    const failed = failing(program, 'echo');
    expect(failed['echo-order']).toBeUndefined();
    expect(failed['echo-pieces']).toBeUndefined();
    expect(failed['echo-abrupt']).toBeUndefined();
  });

  it('the selectors server that watches EVENT_WRITE all the time spins beside a slow reader', () => {
    const failed = failing(programById('selectors-server'), 'echo');
    expect(Object.keys(failed)).toEqual(['echo-slow']);
    expect(failed['echo-slow']!.finding).toMatchObject({ kind: 'spinning' });
  });

  it('the server that forgets outb[sent:] loses what send() did not take, after its last send to that client', () => {
    const program = edited('selectors-server-modify', 'data.outb = data.outb[sent:]', 'data.outb = b""');
    const failed = failing(program, 'echo');
    expect(Object.keys(failed).sort()).toEqual(['echo-large', 'echo-slow']);
    const large = failed['echo-large']!;
    expect(large.finding).toMatchObject({ kind: 'unanswered', client: 'A', missing: expect.stringMatching(/\n$/) });
    const calls = worldAt(program, large).event.calls ?? [];
    expect(calls.map((call) => call.call)).toContain('send');
  });

  it('the unframed chat server relays a piece of a line to the others', () => {
    const program = programById('chat-server');
    const failed = failing(program, 'chat');
    expect(Object.keys(failed)).toEqual(['chat-framing']);
    const framing = failed['chat-framing']!;
    expect(framing.finding).toMatchObject({ kind: 'wrong-bytes', written: 'hel' });
    // The step named is the sendall() that handed the piece to the kernel.
    const world = worldAt(program, framing);
    expect(world.event.calls?.some((call) => call.call === 'sendall' && call.args?.[0] === "b'hel'")).toBe(true);
  });

  it('the chat without try/finally stops relaying once a member resets', () => {
    const program = chatWithoutFinally();
    const failed = failing(program, 'chat');
    expect(Object.keys(failed)).toEqual(['chat-leave']);
    const leave = failed['chat-leave']!;
    expect(leave.crash).toMatchObject({ type: 'ConnectionResetError' });
    expect(leave.finding).toMatchObject({ kind: 'unanswered' });
    expect(worldAt(program, leave).tracebacks).toHaveLength(1);
  });
});

describe('Test my server: results are data, and reproducible', () => {
  it('judging the same run twice gives the same result', () => {
    const program = programById('blocking-echo');
    const check = CHECKS.find((c) => c.id === 'echo-order')!;
    const run = buildRun(program, check.scenario);
    expect(judge(check, run)).toEqual(judge(check, buildRun(program, check.scenario)));
  });

  it('costs compare with the reference as ratios', () => {
    const check = CHECKS.find((c) => c.id === 'echo-order')!;
    const busy = runCheck(programById('nonblocking-busy'), check).costs;
    const reference = runCheck(programById('selectors-server-modify'), check).costs;
    expect(reference.wasted).toBe(0);
    expect(busy.wasted).toBeGreaterThan(0);
    expect(costRatios(busy, reference)).toMatchObject({ wasted: undefined, bytesPerOwed: 1, threads: 1 });
    const threaded = runCheck(programById('chat-server-framed'), CHECKS.find((c) => c.id === 'chat-order')!).costs;
    expect(threaded.threads).toBe(4);
  });
});

describe('Test my server: costs', () => {
  it('cover the whole run even when a check fails early', () => {
    const check = CHECKS.find((c) => c.id === 'chat-framing')!;
    const unframed = runCheck(programById('chat-server'), check);
    expect(unframed.pass).toBe(false);
    // Every member got every byte once, torn or not: one byte sent per byte owed, like the framed server.
    expect(unframed.costs.bytesPerOwed).toBe(1);
    expect(runCheck(programById('chat-server-framed'), check).costs.bytesPerOwed).toBe(1);
  });
});
