import { connected, findSocket, readableText, writableText } from './kernel.ts';
import { count } from './interpreter.ts';
import type { PyValue } from './py-value.ts';
import { int, list, tuple } from './py-value.ts';
import { fdOf, sockId } from './python-socket.ts';
import type { Ready, Selector } from './selector.ts';
import { EMPTY_SELECTOR, EVENT_READ, EVENT_WRITE, maskText, readyKeys, register, registrationOf, unregister } from './selector.ts';
import type { LoopWorld } from './world.ts';

/** The selectors module's DefaultSelector (epoll on Linux) over the simulated kernel. */
function selectorOf(w: LoopWorld): Selector {
  return w.selector ?? EMPTY_SELECTOR;
}

export function selCreate(w: LoopWorld): LoopWorld {
  return { ...w, selector: EMPTY_SELECTOR };
}

export function selRegister(w: LoopWorld, sock: PyValue, mask: number, data: PyValue): LoopWorld {
  return { ...w, selector: register(selectorOf(w), sockId(sock), fdOf(w, sock), mask, data) };
}

export function selUnregister(w: LoopWorld, sock: PyValue): LoopWorld {
  return { ...w, selector: unregister(selectorOf(w), sockId(sock)) };
}

/** The key select() hands back: a snapshot of the registration whose data is the very same object. */
function keyOf(w: LoopWorld, r: Ready): PyValue {
  const reg = registrationOf(selectorOf(w), r.sock);
  return { type: 'key', sock: r.sock, fd: r.fd, events: reg?.mask ?? 0, data: reg?.data ?? { type: 'None' } };
}

function notReady(w: LoopWorld): string {
  return selectorOf(w)
    .registry.map((r) => {
      const s = findSocket(w.kernel, r.sock);
      const c = connected(w.kernel, r.sock);
      const parts: string[] = [];
      if (r.mask & EVENT_READ) parts.push(s?.kind === 'listening' ? 'no connection waiting' : 'nothing to read');
      if (r.mask & EVENT_WRITE) parts.push(c?.connecting === true ? 'still connecting' : 'send buffer full');
      return `fd ${r.fd}: ${parts.join(', ')}`;
    })
    .join('; ');
}

/** select(timeout=None): the ready keys with the events they are ready for, or a wait while none is. */
export type Selected =
  | { readonly kind: 'done'; readonly world: LoopWorld; readonly value: PyValue; readonly ready: readonly Ready[] }
  | { readonly kind: 'blocked'; readonly on: string };

export function selSelect(w: LoopWorld): Selected {
  const sel = selectorOf(w);
  const ready = readyKeys(sel, w.kernel);
  if (ready.length === 0) return { kind: 'blocked', on: `select(): no registered socket is ready (${notReady(w)})` };
  const value = list(ready.map((r) => tuple(keyOf(w, r), int(r.mask))));
  const world = count({ ...w, selector: { ...sel, lastSelect: ready } }, { selectCalls: 1 });
  return { kind: 'done', world, value, ready };
}

/** Why each key is ready, e.g. "fd 5 has 2 bytes to read and an empty send buffer". */
export function readyText(w: LoopWorld, ready: readonly Ready[]): string {
  return ready
    .map((r) => {
      const parts: string[] = [];
      if (r.mask & EVENT_READ) parts.push(readableText(w.kernel, r.sock));
      const c = connected(w.kernel, r.sock);
      if (r.mask & EVENT_WRITE && c !== undefined) parts.push(writableText(c));
      return `fd ${r.fd} has ${parts.join(' and ')}`;
    })
    .join('; ');
}

export function readyList(ready: readonly Ready[]): string {
  return `[${ready.map((r) => `(key for fd ${r.fd}, ${maskText(r.mask)})`).join(', ')}]`;
}

export function selMapSize(w: LoopWorld): number {
  return selectorOf(w).registry.length;
}

export function selClose(w: LoopWorld): LoopWorld {
  return { ...w, selector: { ...selectorOf(w), registry: [], closed: true } };
}
