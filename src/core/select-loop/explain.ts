import type { CallRecord, Wait } from '../python/frame.ts';
import type { StepNote } from '../python/machine.ts';
import { findSocket } from './kernel.ts';
import { plural } from './show.ts';
import type { LoopThread, LoopWorld } from './world.ts';
import { uringCallText, uringWaitText } from './explain-uring.ts';

/**
 * Sentences for the learner, rendered from what a step did: the calls it made into the simulated
 * OS with their results, what the line decided, and the note kept beside the program for this
 * line's text. Display only: nothing parses them back.
 */

const STATEMENTS: Readonly<Record<string, string>> = {
  continue: 'continue: straight back to the head of the loop for its next turn.',
  break: 'break: the loop ends here, and the line after it runs next.',
  pass: 'pass does nothing; it only fills a block that needs a statement.',
};

const SOCKOPTS: Readonly<Record<string, string>> = { '2': 'SO_REUSEADDR', '26': 'IPV6_V6ONLY' };

function withPeer(c: CallRecord): string {
  return c.peer === undefined || c.peer === '' ? '' : ` (${c.peer})`;
}

function callText(before: LoopWorld, c: CallRecord): string {
  const fd = c.fd === undefined ? '' : ` on fd ${c.fd}`;
  if (c.raised !== undefined) return `${c.call}()${fd} raises ${c.raised}.`;
  if (c.result === undefined && (c.call === 'recv' || c.call === 'accept' || c.call === 'send')) {
    const s = before.kernel.sockets.find((x) => x.fd === c.fd);
    return `${c.call}(${c.args?.[0] ?? ''})${fd} cannot finish yet, so it waits, for at most the socket's timeout of ${s?.timeout ?? '?'} s; then it raises TimeoutError.`;
  }
  switch (c.call) {
    case 'socket':
      return `socket.socket() asks the kernel for a${c.args?.[0] === 'AF_INET6' ? 'n IPv6' : ''} TCP socket and gets fd ${c.fd ?? '?'}.`;
    case 'DefaultSelector':
      return `DefaultSelector() creates an epoll instance, which takes fd ${c.fd ?? '?'} of its own; nothing is registered yet.`;
    case 'setsockopt': {
      const opt = SOCKOPTS[c.args?.[1] ?? ''] ?? 'an option';
      if (opt === 'IPV6_V6ONLY') {
        return c.args?.[2] === '0'
          ? `setsockopt() turns IPV6_V6ONLY off on fd ${c.fd ?? '?'}: this IPv6 socket will take IPv4 connections too, each seen as an IPv4-mapped address (::ffff:a.b.c.d).`
          : `setsockopt() turns IPV6_V6ONLY on for fd ${c.fd ?? '?'}: this socket takes IPv6 connections only.`;
      }
      return opt === 'SO_REUSEADDR'
        ? `setsockopt() sets SO_REUSEADDR on fd ${c.fd ?? '?'}: a restarted server can bind its port again while old connections linger in TIME-WAIT.`
        : `setsockopt() sets ${opt} on fd ${c.fd ?? '?'}.`;
    }
    case 'bind':
      return `bind() gives fd ${c.fd ?? '?'} the address ${c.args?.[0] ?? ''}.`;
    case 'listen':
      return `listen() makes fd ${c.fd ?? '?'} a listening socket; the kernel now completes handshakes and queues connections by itself.`;
    case 'setblocking':
      return c.args?.[0] === 'False'
        ? `setblocking(False)${fd}: from now on a call that would wait raises BlockingIOError instead.`
        : `setblocking(True)${fd}: calls wait until they can finish.`;
    case 'settimeout':
      return c.args?.[0] === 'None'
        ? `settimeout(None)${fd}: calls wait as long as they need, as setblocking(True) does.`
        : c.args?.[0] === '0' || c.args?.[0] === '0.0'
          ? `settimeout(0)${fd}: the socket is non-blocking, as after setblocking(False).`
          : `settimeout(${c.args?.[0] ?? ''})${fd}: a call that has to wait waits at most ${c.args?.[0] ?? ''} s, then raises TimeoutError.`;
    case 'accept': {
      const listener = before.kernel.sockets.find((s) => s.fd === c.fd);
      const waiting = listener?.kind === 'listening' ? listener.acceptQueue.length : 0;
      return `accept()${fd} takes ${c.peer ?? 'a'}'s connection from the accept queue${waiting > 1 ? ` (${waiting - 1} more wait behind it)` : ''} and returns it as ${c.result ?? 'a new fd'}.`;
    }
    case 'recv':
      return c.bytes === 0
        ? `recv(${c.args?.[0] ?? ''})${fd} returns b'': ${c.peer ?? 'the peer'} has closed and every byte has been read.`
        : `recv(${c.args?.[0] ?? ''})${fd} returns ${c.result ?? ''}${withPeer(c)}.`;
    case 'send':
      return `send()${fd} hands ${plural(c.bytes ?? 0, 'byte')} to the kernel${withPeer(c)} and returns ${c.result ?? ''}.`;
    case 'sendall':
      return c.result === undefined
        ? `sendall()${fd} hands ${plural(c.bytes ?? 0, 'byte')} to the kernel and finds the send buffer full: it waits for room for the rest.`
        : `sendall()${fd} hands ${c.bytes === 0 ? 'the last bytes' : plural(c.bytes ?? 0, 'byte')} to the kernel${withPeer(c)} and returns.`;
    case 'close':
      return `close() releases fd ${c.fd ?? '?'}${withPeer(c)}; the kernel sends a FIN after any bytes still queued.`;
    case 'connect':
    case 'connect_ex':
      return `${c.call}(${c.args?.[0] ?? ''})${fd}${withPeer(c)} returns ${c.result ?? 'None'}${c.result === '115' ? ' (EINPROGRESS): the handshake goes on without us' : ''}.`;
    case 'select':
      return `select() returns ${c.result ?? '[]'}.`;
    case 'register':
      return `sel.register() watches fd ${c.fd ?? '?'} for ${c.args?.[0] ?? ''}.`;
    case 'modify':
      return `sel.modify() now watches fd ${c.fd ?? '?'} for ${c.args?.[0] ?? ''}.`;
    case 'unregister':
      return `sel.unregister(): fd ${c.fd ?? '?'} is no longer watched.`;
    case 'selector.close':
      return `sel.close() closes the epoll instance (fd ${c.fd ?? '?'}).`;
    case 'print':
      return `Prints ${JSON.stringify(c.args?.[0] ?? '')}.`;
    case 'input':
      return `input() returns ${c.result ?? ''}: the line the user typed, without its newline.`;
    case 'thread.start':
      return `start() runs ${c.result ?? 'a thread'}; from the next step it takes turns with the others.`;
    case 'lock.acquire':
      return 'The lock was free: this thread holds it now.';
    case 'lock.release':
      return 'The lock is released.';
    case 'socketpair':
      return `socketpair() returns two connected sockets: ${c.result ?? ''}.`;
    case 'sleep':
      return `time.sleep(${c.args?.[0] ?? ''}) starts: the thread waits while simulated time passes.`;
    default:
      return uringCallText(before, c) ?? `${c.call}()${fd}.`;
  }
}

function noteText(n: StepNote, code: string): string {
  switch (n.kind) {
    case 'test': {
      const head = /^(if|elif|while)\s+(.*):$/.exec(code);
      const cond = head?.[2] ?? 'the condition';
      if (head?.[1] === 'while') {
        if (cond === 'True') return 'while True: the loop goes round again.';
        return n.value ? `${cond} is true: the loop goes round again.` : `${cond} is false: the loop ends.`;
      }
      return n.value ? `${cond} is true, so its block runs.` : `${cond} is false, so its block is skipped.`;
    }
    case 'assign':
      return n.names.map(([k, v]) => `${k} = ${v}`).join('; ') + '.';
    case 'loop-item':
      return `Next item: ${n.names.map(([k, v]) => `${k} = ${v}`).join(', ')}.`;
    case 'loop-done':
      return 'No items left: the loop ends.';
    case 'call':
      return `Calls ${n.fn}(): its body runs from the next step.`;
    case 'return':
      return `Returns ${n.value}.`;
    case 'raise':
      return `${n.type} is raised.`;
    case 'with-exit':
      return 'Leaving the with block calls __exit__.';
    case 'except':
      return n.matched ? 'The exception matches this except clause.' : 'The exception does not match this clause.';
    case 'def':
      return `def binds ${n.name} to a function; its body runs only when it is called.`;
    case 'other':
      return '';
  }
}

export function explainStep(before: LoopWorld, after: LoopWorld, t: LoopThread, line: number, calls: readonly CallRecord[], note: StepNote): string {
  const text = (before.program.source[line - 1] ?? '').trim();
  const parts = calls.map((c) => callText(before, c));
  const said = noteText(note, text);
  if (said !== '' && (parts.length === 0 || note.kind === 'test' || note.kind === 'raise' || note.kind === 'call')) parts.push(said);
  const wasted = after.counters.wastedPasses - before.counters.wastedPasses;
  if (wasted > 0) parts.push(`The turn before this one found nothing to do: ${plural(after.counters.wastedPasses, 'wasted turn')} so far.`);
  const extra = before.program.notes[text];
  if (extra !== undefined) parts.push(extra);
  if (!after.threads.some((x) => x.id === t.id) && !after.exited) parts.push(`${t.name} ends.`);
  if (after.exited && !before.exited) parts.push('The process exits; the kernel closes every fd it still had open.');
  return parts.join(' ') || (STATEMENTS[text] ?? `Runs \`${text}\`.`);
}

/** A thread's wait in words, e.g. "recv(1024) on fd 4: no data yet". */
export function waitText(w: LoopWorld, wait: Wait): string {
  const until = 'until' in wait && wait.until !== undefined && wait.call !== 'sleep' && wait.call !== 'select' ? ` (timeout at ${(wait.until / 1e6).toFixed(3)} s)` : '';
  switch (wait.call) {
    case 'accept':
      return `accept() on fd ${wait.fd}: no connection in the accept queue${until}`;
    case 'recv': {
      const s = findSocket(w.kernel, w.kernel.sockets.find((x) => x.fd === wait.fd)?.id ?? -1);
      const who = s?.kind === 'connected' && s.peerName !== '' ? ` from ${s.peerName}` : '';
      return `recv(${wait.max ?? ''}) on fd ${wait.fd}: no data${who} yet, and no FIN${until}`;
    }
    case 'send':
      return `send() on fd ${wait.fd}: the send buffer is full${until}`;
    case 'sendall':
      return `sendall() on fd ${wait.fd}: the send buffer is full; ${wait.remaining ?? 0} of ${wait.total ?? 0} bytes still to send`;
    case 'connect':
      return `connect() on fd ${wait.fd}: the handshake has not finished`;
    case 'select':
      return `select(): none of fds ${wait.fds.join(', ')} is ready${wait.until === undefined ? '' : `; it times out at ${(wait.until / 1e6).toFixed(3)} s for the earliest timer`}`;
    case 'input':
      return `input(${JSON.stringify(wait.prompt)}): waiting for the user to type a line`;
    case 'lock':
      return `the lock is held by ${wait.holder}`;
    case 'join':
      return `join(): ${wait.thread} has not finished`;
    case 'sleep':
      return `time.sleep(): until ${(wait.until / 1e6).toFixed(3)} s`;
    case 'io_uring_enter':
      return uringWaitText(wait);
  }
}
