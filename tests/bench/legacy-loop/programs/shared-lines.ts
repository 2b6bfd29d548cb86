import type { Code } from '../interpreter.ts';
import { goTo, peek, raiseIn, top } from '../interpreter.ts';
import type { Outcome } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { bytesLiteral, int } from '../py-value.ts';
import { pySendall } from '../python-socket.ts';
import { peerOf, plural, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';

/** Lines several programs share, explained the same way wherever they appear. */
const MODULES: Readonly<Record<string, string>> = {
  socket: "Python's interface to the kernel's sockets",
  selectors: 'readiness notification over epoll, with a key and your own data per socket',
  types: 'used here for SimpleNamespace, a plain object to keep per-connection state in',
  threading: 'threads that share the program’s memory; only one runs Python code at a time',
};

export function importLine(w: LoopWorld, t: LoopThread, next: number, module: string): Outcome {
  return ran(
    goTo(w, t.id, next),
    `import ${module} loads the ${module} module: ${MODULES[module] ?? 'part of the standard library'}.`,
  );
}

export function assignConstant(w: LoopWorld, t: LoopThread, next: number, name: string, value: PyValue, why: string): Outcome {
  return ran(goTo(w, t.id, next, { [name]: value }), `${name} = ${show(w, value)}: ${why}.`);
}

export function defLine(w: LoopWorld, t: LoopThread, next: number, fn: string, what: string): Outcome {
  return ran(goTo(w, t.id, next), `def binds the name ${fn} to a function that ${what}; its body runs only when it is called.`);
}

export function bytesOf(v: PyValue): string {
  if (v.type !== 'bytes') throw new TypeError(`a bytes-like object is required, not '${v.type}'`);
  return v.value;
}

export function intOf(v: PyValue): number {
  if (v.type !== 'int') throw new TypeError(`an integer is required, not '${v.type}'`);
  return v.value;
}

export function strOf(v: PyValue): string {
  if (v.type !== 'str') throw new TypeError(`expected a str, got ${v.type}`);
  return v.value;
}

export function listItems(v: PyValue): readonly PyValue[] {
  if (v.type !== 'list') throw new TypeError(`expected a list, got ${v.type}`);
  return v.items;
}

/** key.fileobj or key.data of a SelectorKey. */
export function keyField(v: PyValue, field: 'fileobj' | 'data'): PyValue {
  if (v.type !== 'key') throw new TypeError(`expected a SelectorKey, got ${v.type}`);
  return field === 'fileobj' ? { type: 'socket', id: v.sock } : v.data;
}

/**
 * sendall() loops over send() until every byte is queued. Each turn that moves bytes is a step
 * on the same line; `$sent` remembers how far it got while the thread waits for room.
 */
export function sendallStep(w: LoopWorld, t: LoopThread, code: Code, sock: PyValue, data: string, next: number): Outcome {
  const sentVar = peek(w, t.id, '$sent');
  const already = sentVar?.type === 'int' ? sentVar.value : 0;
  const peer = peerOf(w, sock);
  const r = pySendall(w, sock, data.slice(already));
  if (r.kind === 'blocked') return blocked(`sendall(): ${r.on}; ${data.length - already} of ${data.length} bytes still to send`);
  if (r.kind === 'raised') {
    return ran(
      raiseIn(r.world, t.id, code, r.error),
      `sendall() on a non-blocking socket raises BlockingIOError once the send buffer is full; the bytes after it are never sent.`,
    );
  }
  const total = already + r.value;
  if (total < data.length) {
    return ran(
      goTo(r.world, t.id, top(t).line, { $sent: int(total) }),
      `sendall() hands ${plural(r.value, 'byte')} to the kernel and finds the send buffer full: it waits until ${peer} reads and makes room for the other ${data.length - total}.`,
    );
  }
  const what = already === 0 ? `all of ${bytesLiteral(data)}` : `the last ${plural(r.value, 'byte')}`;
  return ran(goTo(r.world, t.id, next, { $sent: int(0) }), `sendall() hands ${what} to the kernel for ${peer} and returns.`);
}
