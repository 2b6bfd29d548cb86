import type { LoopWorld } from '../core/select-loop/index.ts';
import type { Cqe, Ring, Sqe, SyscallTally } from '../core/select-loop/uring.ts';
import { EMPTY_TALLY, cqSlot, sqSlot } from '../core/select-loop/uring.ts';
import { element } from './dom.ts';
import '../styles/uring.css';

/**
 * Lesson 9's part of a loop stepper's pane: the io_uring rings (SQ, the requests the kernel holds,
 * CQ) drawn slot by slot, and the system calls and wake-ups so far. Rendered from the world's ring
 * and tally; each count carries data attributes, so tests read numbers, not sentences.
 */

function slotList(label: string, size: number, filled: ReadonlyMap<number, HTMLElement>, head: number): HTMLElement {
  const list = element('ol', undefined, 'uring-slots');
  list.setAttribute('aria-label', label);
  for (let slot = 0; slot < size; slot++) {
    const item = element('li', undefined, 'uring-slot');
    item.dataset.slot = String(slot);
    item.append(element('span', String(slot), 'uring-slot-n'));
    const entry = filled.get(slot);
    if (entry === undefined) {
      item.append(element('span', 'empty', 'uring-sr'));
    } else {
      item.classList.add('is-full');
      item.append(entry);
    }
    if (slot === head) item.classList.add('is-head');
    list.append(item);
  }
  return list;
}

function sqeBody(sqe: Sqe): HTMLElement {
  const body = element('span', undefined, 'uring-entry');
  body.dataset.op = sqe.op;
  body.append(element('span', `${sqe.op} fd ${sqe.fd}${sqe.op === 'recv' || sqe.op === 'send' ? ` · ${sqe.len} B` : ''}`, 'uring-op'), element('span', sqe.userDataText, 'uring-data'));
  body.title = `user_data = ${sqe.userDataText}`;
  return body;
}

function cqeBody(cqe: Cqe): HTMLElement {
  const body = element('span', undefined, 'uring-entry');
  body.dataset.res = String(cqe.res);
  body.append(element('span', `res ${cqe.res}`, 'uring-op'), element('span', cqe.userDataText, 'uring-data'));
  body.title = `user_data = ${cqe.userDataText}, res = ${cqe.res}`;
  return body;
}

function ringFigure(kind: 'sq' | 'cq', caption: string, list: HTMLElement, count: number): HTMLElement {
  const figure = element('figure', undefined, 'uring-ring');
  figure.dataset.ring = kind;
  figure.dataset.entries = String(count);
  figure.append(element('figcaption', caption), list);
  return figure;
}

function rings(ring: Ring): HTMLElement {
  const box = element('div', undefined, 'uring-rings');
  const sqFilled = new Map(ring.sq.map((sqe, i) => [sqSlot(ring, i), sqeBody(sqe)] as const));
  const cqFilled = new Map(ring.cq.map((cqe, i) => [cqSlot(ring, i), cqeBody(cqe)] as const));
  const sqHead = ring.written % ring.entries;
  const cqHead = (ring.posted - ring.cq.length) % ring.cqEntries;
  box.append(
    ringFigure(
      'sq',
      `Submission queue (SQ): ${ring.sq.length} of ${ring.entries} slots written by the program, not yet taken by the kernel${ring.sqpoll ? ' (an SQ polling thread takes them)' : ''}`,
      slotList(`Submission queue, ${ring.entries} slots; the next SQE goes in slot ${sqHead}`, ring.entries, sqFilled, ring.sq.length === 0 ? -1 : sqSlot(ring, 0)),
      ring.sq.length,
    ),
  );
  const inFlight = element('div', undefined, 'uring-inflight');
  inFlight.dataset.ring = 'in-flight';
  inFlight.dataset.entries = String(ring.inFlight.length);
  inFlight.append(element('p', `In flight, held by the kernel until their socket is ready: ${ring.inFlight.length === 0 ? 'none' : ''}`, 'uring-caption'));
  if (ring.inFlight.length > 0) {
    const list = element('ul', undefined, 'uring-flight-list');
    for (const sqe of ring.inFlight) {
      const item = element('li');
      item.append(sqeBody(sqe));
      list.append(item);
    }
    inFlight.append(list);
  }
  box.append(
    inFlight,
    ringFigure(
      'cq',
      `Completion queue (CQ): ${ring.cq.length} of ${ring.cqEntries} slots posted by the kernel, not yet seen by the program`,
      slotList(`Completion queue, ${ring.cqEntries} slots${ring.cq.length === 0 ? '' : `; the program reads slot ${cqHead} next`}`, ring.cqEntries, cqFilled, ring.cq.length === 0 ? -1 : cqHead),
      ring.cq.length,
    ),
  );
  return box;
}

function tallyView(t: SyscallTally): HTMLElement {
  const box = element('div', undefined, 'uring-tally');
  box.dataset.syscallsTotal = String(t.total);
  box.dataset.syscallsServing = String(t.serving);
  box.dataset.wakeups = String(t.wakeups);
  box.dataset.messages = String(t.messages);
  const table = element('table', undefined, 'loop-state uring-syscalls');
  table.dataset.table = 'syscalls';
  table.createCaption().textContent = 'System calls so far';
  const head = table.createTHead().insertRow();
  head.append(element('th', 'system call (as strace names it)'), element('th', 'calls'));
  const body = table.createTBody();
  for (const [name, n] of Object.entries(t.counts)) {
    const row = body.insertRow();
    row.dataset.syscall = name;
    row.dataset.count = String(n);
    row.append(element('td', name), element('td', String(n)));
  }
  if (Object.keys(t.counts).length === 0) box.append(element('p', 'No system calls yet.', 'loop-empty'));
  else box.append(table);
  const per = t.messages === 0 ? '' : ` That is ${(t.serving / t.messages).toFixed(1)} system calls per message, connections and closes included.`;
  const summary = element(
    'p',
    t.waited
      ? `Since the loop first waited: ${t.serving} system call${t.serving === 1 ? '' : 's'} and ${t.wakeups} wake-up${t.wakeups === 1 ? '' : 's'}, for ${t.messages} message${t.messages === 1 ? '' : 's'} read.${per}`
      : 'The loop has not waited yet: so far only setting up.',
    'uring-summary',
  );
  box.append(summary);
  return box;
}

/** The rings and the system-call tally for this world; empty for programs that have neither. */
export function uringParts(world: LoopWorld): HTMLElement[] {
  const parts: HTMLElement[] = [];
  // The tally first: side by side, the two programs' counts then sit level with each other.
  if (world.program.countsSyscalls === true) parts.push(tallyView(world.syscalls ?? EMPTY_TALLY));
  if (world.ring !== undefined && !world.ring.closed) parts.push(rings(world.ring));
  return parts;
}

export function renderUring(box: HTMLElement, world: LoopWorld): void {
  box.replaceChildren(...uringParts(world));
  box.hidden = box.childElementCount === 0;
}
