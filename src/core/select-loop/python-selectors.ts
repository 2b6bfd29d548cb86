import { closeOtherFd, openOtherFd } from './kernel.ts';
import type { PyValue } from './py-value.ts';
import { NONE, int, tuple } from './py-value.ts';
import type { Ready, Registration, Selector } from './selector.ts';
import { EMPTY_SELECTOR, EVENT_READ, EVENT_WRITE, maskNames, readyKeys, register, registrationOf, unregister } from './selector.ts';
import type { Machine } from '../python/machine.ts';
import { Blocked, PyError } from '../python/machine.ts';
import { exc } from '../python/exceptions.ts';
import { str } from './py-value.ts';
import { fdOf, polled, sockId } from './python-socket.ts';

/** The selectors module's DefaultSelector (epoll on Linux, which takes an fd of its own) over the simulated kernel. */
function selectorOf(m: Machine): Selector {
  const sel = m.world.selector;
  if (sel === undefined || sel.closed) return m.fail('RuntimeError', 'Selector is closed');
  return sel;
}

function setSelector(m: Machine, selector: Selector): void {
  m.world = { ...m.world, selector };
}

export function selCreate(m: Machine): PyValue {
  if (m.world.selector !== undefined && !m.world.selector.closed) return m.fail('NotImplementedError', 'this simulation runs one selector per program');
  const r = openOtherFd(m.world.kernel);
  m.world = { ...m.world, kernel: r.kernel, selector: { ...EMPTY_SELECTOR, fd: r.fd } };
  m.record({ call: 'DefaultSelector', fd: r.fd, result: `epoll fd ${r.fd}` });
  return { type: 'selector' };
}

function maskArg(m: Machine, v: PyValue | undefined): number {
  const mask = v?.type === 'int' ? v.value : -1;
  if (mask <= 0 || (mask & ~(EVENT_READ | EVENT_WRITE)) !== 0) throw new PyError(exc('ValueError', str(`Invalid events: ${v === undefined ? 'None' : m.repr(v)}`)));
  return mask;
}

function keyValue(r: Registration): PyValue {
  return { type: 'key', sock: r.sock, fd: r.fd, events: r.mask, data: r.data };
}

function keyError(m: Machine, sock: PyValue): never {
  throw new PyError(exc('KeyError', str(`${m.repr(sock)} is not registered`)));
}

/** DefaultSelector methods, called on the program's selector. */
export function selectorMethod(m: Machine, name: string, args: readonly PyValue[], kwargs: Readonly<Record<string, PyValue>>): PyValue {
  switch (name) {
    case 'register': {
      const sel = selectorOf(m);
      const sock = args[0] ?? NONE;
      const fd = fdOf(m, sock);
      const mask = maskArg(m, args[1] ?? kwargs['events']);
      const data = args[2] ?? kwargs['data'] ?? NONE;
      if (registrationOf(sel, sockId(sock)) !== undefined) throw new PyError(exc('KeyError', str(`${m.repr(sock)} (FD ${fd}) is already registered`)));
      const next = register(sel, sockId(sock), fd, mask, data);
      setSelector(m, next);
      m.record({ call: 'register', fd, args: [maskNames(mask).join('|')], result: 'SelectorKey' });
      return keyValue(registrationOf(next, sockId(sock)) as Registration);
    }
    case 'modify': {
      const sel = selectorOf(m);
      const sock = args[0] ?? NONE;
      const reg = registrationOf(sel, sockId(sock));
      if (reg === undefined) return keyError(m, sock);
      const mask = maskArg(m, args[1] ?? kwargs['events']);
      const data = args[2] ?? kwargs['data'] ?? NONE;
      const registry = sel.registry.map((r) => (r.sock === reg.sock ? { ...r, mask, events: maskNames(mask), data } : r));
      setSelector(m, { ...sel, registry });
      m.record({ call: 'modify', fd: reg.fd, args: [maskNames(mask).join('|')], result: 'SelectorKey' });
      return keyValue({ ...reg, mask, data });
    }
    case 'unregister': {
      const sel = selectorOf(m);
      const sock = args[0] ?? NONE;
      const reg = registrationOf(sel, sockId(sock));
      if (reg === undefined) return keyError(m, sock);
      setSelector(m, unregister(sel, sockId(sock)));
      m.record({ call: 'unregister', fd: reg.fd, result: 'SelectorKey' });
      return keyValue(reg);
    }
    case 'select': {
      const sel = selectorOf(m);
      const timeout = args[0] ?? kwargs['timeout'] ?? NONE;
      const ready = readyKeys(sel, m.world.kernel);
      const poll = (timeout.type === 'int' || timeout.type === 'float') && timeout.value <= 0;
      if (ready.length === 0 && !poll) throw new Blocked({ call: 'select', fds: sel.registry.map((r) => r.fd) });
      const items = ready.map((r: Ready) => tuple(keyValue(registrationOf(sel, r.sock) as Registration), int(r.mask)));
      setSelector(m, { ...sel, lastSelect: ready });
      m.world = { ...m.world, counters: { ...m.world.counters, selectCalls: m.world.counters.selectCalls + 1 } };
      polled(m);
      m.record({ call: 'select', result: `[${ready.map((r) => `(fd ${r.fd}, ${r.events.join('|')})`).join(', ')}]` });
      return m.newList(items);
    }
    case 'get_map': {
      const sel = selectorOf(m);
      const d: PyValue = { type: 'dict', ref: m.alloc({ kind: 'dict', keys: sel.registry.map((r) => int(r.fd)), values: sel.registry.map(keyValue) }) };
      return d;
    }
    case 'get_key': {
      const sel = selectorOf(m);
      const reg = registrationOf(sel, sockId(args[0] ?? NONE));
      if (reg === undefined) return keyError(m, args[0] ?? NONE);
      return keyValue(reg);
    }
    case 'close': {
      const sel = m.world.selector;
      if (sel === undefined || sel.closed) return NONE;
      const kernel = sel.fd === undefined ? m.world.kernel : closeOtherFd(m.world.kernel, sel.fd);
      m.world = { ...m.world, kernel, selector: { ...sel, registry: [], closed: true } };
      m.record({ call: 'selector.close', fd: sel.fd });
      return NONE;
    }
    default:
      return m.fail('AttributeError', `'EpollSelector' object has no attribute '${name}'`);
  }
}

/** key.fileobj, key.fd, key.events, key.data. */
export function keyAttr(m: Machine, key: Extract<PyValue, { type: 'key' }>, name: string): PyValue {
  switch (name) {
    case 'fileobj':
      return { type: 'socket', id: key.sock };
    case 'fd':
      return int(key.fd);
    case 'events':
      return int(key.events);
    case 'data':
      return key.data;
    default:
      return m.fail('AttributeError', `'SelectorKey' object has no attribute '${name}'`);
  }
}
