import { addressText, type Program, bytesLiteral, type LoopWorld, waitText } from '../core/select-loop/index.ts';
import { loopPicture, mountLoopPicture } from '../viz/loop-picture.ts';
import { handleText, taskWaitText } from '../core/select-loop/explain-asyncio.ts';
import type { EventLoop } from '../core/select-loop/event-loop.ts';
import { element } from './dom.ts';
import { renderUring } from './uring-view.ts';

/**
 * One program's view in an event-loop stepper: its source with each thread's current line marked,
 * the waitress picture, and the state a learner checks against the code — threads, the selector's
 * registry and what select() returned, kernel sockets, clients and output.
 */
export type LoopPane = { render: (world: LoopWorld, reducedMotion: boolean) => void; root: HTMLElement };

function table(caption: string, head: string[], rows: string[][], empty: string, name?: string): HTMLElement {
  const wrap = element('div', undefined, 'loop-table-wrap');
  const tableElement = element('table', undefined, 'loop-state');
  if (name !== undefined) tableElement.dataset.table = name;
  tableElement.createCaption().textContent = caption;
  if (rows.length === 0) {
    wrap.append(tableElement, element('p', empty, 'loop-empty'));
    tableElement.createTHead();
    return wrap;
  }
  const headRow = tableElement.createTHead().insertRow();
  for (const name of head) headRow.append(element('th', name));
  const body = tableElement.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.append(element('td', cell));
  }
  wrap.append(tableElement);
  return wrap;
}

/** `edited`: the program is the learner's own edit of the lesson's, and the pane says so. */
/** What asyncio's selector keeps as a key's data: (reader handle, writer handle), named by the callbacks they run. */
function asyncioKeyData(loop: EventLoop, sock: number): string {
  if (sock === loop.selfPipe[0]) return '(Handle(_read_from_self), None)';
  const transport = loop.transports.find((t) => t.sock === sock && !t.lost);
  if (transport !== undefined) return `(Handle(_read_ready), ${transport.buffer === '' ? 'None' : 'Handle(_write_ready)'})`;
  return '(Handle(_accept_connection), None)';
}

/** asyncio's loop as the tables show it: tasks and what each awaits, the ready queue, timers and transports. */
function asyncioTables(loop: EventLoop): HTMLElement[] {
  const tasks = table(
    'Tasks',
    ['task', 'coroutine', 'line', 'state', 'awaiting'],
    loop.tasks.map((task) => {
      const state = task.id === loop.current ? 'running' : task.state;
      return [
        task.name,
        task.coro,
        task.line === undefined ? '—' : String(task.line),
        state,
        // A task whose step is queued has its answer; only a waiting one still awaits.
        state === 'waiting' && task.awaiting !== undefined ? taskWaitText(task.awaiting) : '—',
      ];
    }),
    'No tasks.',
    'tasks',
  );
  const ready = table(
    'Ready queue (loop._ready)',
    ['#', 'callback', 'runs'],
    loop.ready.map((handle, i) => [String(i + 1), handleText(loop, handle), i < loop.ntodo ? 'this iteration' : 'next iteration']),
    loop.ntodo === 0 ? 'Empty: the next step calls select().' : 'Empty.',
    'ready',
  );
  const parts = [tasks, ready];
  if (loop.timers.length > 0) parts.push(table('Timers (loop._scheduled)', ['when', 'callback'], loop.timers.map((timer) => [`${(timer.when / 1e6).toFixed(3)} s`, handleText(loop, timer.handle)]), '', 'timers'));
  const open = loop.transports.filter((transport) => !transport.lost);
  if (open.length > 0) {
    parts.push(
      table(
        'Transports',
        ['fd', 'peer', 'write buffer', 'state'],
        open.map((transport) => [
          String(transport.fd),
          addressText(transport.peer),
          transport.buffer === '' ? "b''" : bytesLiteral(transport.buffer),
          transport.connLost ? 'connection lost' : transport.closing ? 'closing' : 'open',
        ]),
        '',
        'transports',
      ),
    );
  }
  parts.push(element('p', `The loop has called select() ${loop.iterations} time${loop.iterations === 1 ? '' : 's'}.`, 'loop-select'));
  return parts;
}

export function createLoopPane(program: Program, compact: boolean, edited = false): LoopPane {
  const title = edited ? `${program.title} (your edit)` : program.title;
  const root = element('section', undefined, 'loop-pane');
  root.setAttribute('aria-label', title);
  // A named group, not a landmark: two steppers on a page may show the same program.
  root.setAttribute('role', 'group');
  root.dataset.edited = String(edited);
  root.append(element('h3', title, 'loop-title'));
  const grid = element('div', undefined, 'loop-pane-grid');
  const code = element('ol', undefined, 'loop-code');
  code.setAttribute('aria-label', `${program.file}${edited ? ' as you edited it' : ''}: the program, one line per step`);
  // It scrolls on its own, so keyboard users must be able to reach it.
  code.tabIndex = 0;
  const lines = program.source.map((text) => {
    const item = element('li');
    item.append(element('code', text === '' ? ' ' : text));
    code.append(item);
    return item;
  });
  const side = element('div', undefined, 'loop-side');
  const pictureBox = element('div', undefined, 'loop-picture-box');
  const picture = mountLoopPicture(
    pictureBox,
    `Clients, sockets and ${program.role === 'server' ? 'who watches them' : 'the program'}`,
  );
  const details = element('details', undefined, 'loop-details');
  details.open = !compact;
  const summary = element('summary', 'Threads, kernel sockets and clients');
  details.append(summary);
  const state = element('div', undefined, 'loop-state-box');
  details.append(state);
  // Lesson 9's rings and system-call counts, outside the details so they stay in view side by side.
  const uringBox = element('div', undefined, 'uring-box');
  side.append(pictureBox, uringBox, details);
  grid.append(code, side);
  root.append(grid);

  function markLines(world: LoopWorld): void {
    for (const item of lines) {
      item.classList.remove('is-current', 'is-blocked', 'just-ran');
      item.removeAttribute('aria-current');
      item.querySelectorAll('.loop-badge').forEach((badge) => badge.remove());
    }
    if (world.event.line !== undefined) lines[world.event.line - 1]?.classList.add('just-ran');
    // Under asyncio the main thread runs the loop; the lines worth marking are each task's.
    const tasks = world.asyncio?.tasks.filter((task) => task.line !== undefined && task.internal === undefined) ?? [];
    // Several tasks often wait on the same line (each client's handler at its readline()): one badge names them all.
    const byLine = new Map<number, typeof tasks>();
    for (const task of tasks) byLine.set(task.line ?? 0, [...(byLine.get(task.line ?? 0) ?? []), task]);
    for (const [line, here] of byLine) {
      const item = lines[line - 1];
      if (item === undefined || world.exited) continue;
      const running = here.some((task) => task.state !== 'waiting');
      item.classList.add(running ? 'is-current' : 'is-blocked');
      item.setAttribute('aria-current', 'step');
      const badge = element('span', here.map((task) => task.name).join(', '), 'loop-badge');
      badge.title = here.map((task) => `${task.name}: ${task.awaiting === undefined ? 'runs next' : taskWaitText(task.awaiting)}`).join('\n');
      item.append(badge);
    }
    for (const thread of world.threads) {
      const item = lines[thread.line - 1];
      if (item === undefined || world.exited || (tasks.length > 0 && thread.wait?.call === 'select')) continue;
      item.classList.add(thread.wait === undefined ? 'is-current' : 'is-blocked');
      item.setAttribute('aria-current', 'step');
      const badge = element(
        'span',
        world.threads.length > 1 ? thread.name : thread.wait === undefined ? 'next' : 'waiting',
        'loop-badge',
      );
      if (thread.wait !== undefined) badge.title = waitText(world, thread.wait);
      item.append(badge);
    }
    const first = code.querySelector<HTMLElement>('[aria-current="step"]');
    if (first !== null) {
      // Measured on screen, so it holds however the listing is positioned (it is sticky beside a long panel).
      const top = first.getBoundingClientRect().top - code.getBoundingClientRect().top + code.scrollTop;
      if (top < code.scrollTop || top > code.scrollTop + code.clientHeight - 40) code.scrollTop = top - code.clientHeight / 3;
    }
  }

  function renderState(world: LoopWorld): void {
    const parts: HTMLElement[] = [];
    parts.push(
      table(
        'Threads',
        ['thread', 'line', 'waiting on', 'variables'],
        world.threads.map((thread) => [
          thread.name,
          world.exited ? 'exited' : String(thread.line),
          thread.wait === undefined ? '—' : waitText(world, thread.wait),
          Object.entries(thread.locals)
            .map(([name, value]) => `${name} = ${value}`)
            .join('\n'),
        ]),
        'No threads.',
      ),
    );
    if (world.asyncio !== undefined) parts.push(...asyncioTables(world.asyncio));
    if (world.selector !== undefined) {
      parts.push(
        table(
          'Selector registry',
          ['fd', 'events', 'data'],
          world.selector.registry.map((entry) => [
            String(entry.fd),
            entry.events.join(' | '),
            world.asyncio !== undefined
              ? asyncioKeyData(world.asyncio, entry.sock)
              : entry.dataView === undefined
                ? 'None'
              : Object.entries(entry.dataView)
                  .map(([name, value]) => `${name}=${value}`)
                  .join(', '),
          ]),
          'Nothing is registered.',
        ),
      );
      const last = world.selector.lastSelect;
      parts.push(
        element(
          'p',
          last === undefined
            ? 'select() has not been called yet.'
            : last.length === 0
              ? 'The last select() returned [] (nothing ready).'
              : `The last select() returned ${last.length} key${last.length === 1 ? '' : 's'}: ${last.map((ready) => `fd ${ready.fd} ${ready.events.join('|')}`).join('; ')}.`,
          'loop-select',
        ),
      );
    }
    parts.push(
      table(
        'Kernel sockets',
        ['fd', 'kind', 'address', 'receive buffer', 'send buffer'],
        world.kernel.sockets
          .filter((socket) => socket.fd !== undefined || socket.kind === 'connected')
          .map((socket) => [
            socket.fd === undefined ? 'queued' : String(socket.fd),
            socket.kind === 'connected'
              ? `${!socket.blocking ? 'non-blocking' : socket.timeout !== undefined ? `timeout ${socket.timeout} s` : 'blocking'}${socket.closed ? ', closed' : ''}`
              : socket.kind,
            socket.kind === 'connected'
              ? socket.pair !== undefined
                ? `socketpair ↔ fd ${world.kernel.sockets.find((other) => other.id === socket.pair)?.fd ?? '?'}`
                : `↔ ${socket.peerName} ${addressText(socket.peer)}`
              : socket.local === undefined
                ? ''
                : addressText(socket.local),
            socket.kind === 'connected'
              ? `${bytesLiteral(socket.recvBuffer)}${socket.peerFin ? ' + FIN' : ''}`
              : socket.kind === 'listening'
                ? `accept queue: ${socket.acceptQueue.length}`
                : '',
            socket.kind === 'connected'
              ? `${bytesLiteral(socket.sendBuffer)} (${socket.sendBuffer.length}/${socket.sendCapacity})`
              : '',
          ]),
        'No sockets yet.',
      ),
    );
    parts.push(
      table(
        'Clients (simulated)',
        ['name', 'state', 'sent', 'received'],
        world.kernel.peers.map((peer) => [
          peer.name,
          `${peer.state}${peer.finSent ? ', sent FIN' : ''}${peer.slowReader ? ', slow reader' : ''}`,
          bytesLiteral(peer.sent),
          bytesLiteral(peer.received),
        ]),
        'No clients yet.',
      ),
    );
    const counters = world.counters;
    const tally = [
      counters.wastedTries > 0 ? `${counters.wastedTries} calls raised BlockingIOError` : '',
      counters.wastedPasses > 0 ? `${counters.wastedPasses} idle passes of the loop` : '',
      counters.selectCalls > 0 ? `${counters.selectCalls} select() calls` : '',
      `${counters.bytesIn} B received, ${counters.bytesOut} B sent by the program`,
    ].filter((text) => text !== '');
    parts.push(element('p', tally.join(' · '), 'loop-counters'));
    if (world.output.length > 0) {
      const output = element('pre', world.output.slice(-8).join('\n'), 'loop-output');
      output.setAttribute('aria-label', 'Program output');
      parts.push(output);
    }
    state.replaceChildren(...parts);
  }

  return {
    root,
    render(world, reducedMotion) {
      // Name only what the tables below hold: a program without a selector has no registry to show.
      summary.textContent =
        world.asyncio !== undefined
          ? 'Tasks, ready queue, selector, kernel sockets and clients'
          : world.selector === undefined
            ? 'Threads, kernel sockets and clients'
            : 'Threads, selector, kernel sockets and clients';
      markLines(world);
      loopPicture(picture, world, reducedMotion);
      renderUring(uringBox, world);
      renderState(world);
    },
  };
}
