import type { EventLoop, LoopHandle, LoopTimer, TaskWait } from './event-loop.ts';
import { taskById } from './event-loop.ts';
import { plural } from './show.ts';
import type { LoopWorld } from './world.ts';

/** Words for asyncio's loop state, rendered from its data for display; nothing parses them back. */

function taskName(loop: EventLoop | undefined, id: number): string {
  return (loop === undefined ? undefined : taskById(loop, id)?.name) ?? `Task-${id}`;
}

/** A ready-queue entry as CPython's Handle repr names its callback, e.g. "Task-4 step", "_read_ready (fd 7)". */
export function handleText(loop: EventLoop | undefined, h: LoopHandle): string {
  switch (h.kind) {
    case 'task-step':
      return `${taskName(loop, h.task)} step`;
    case 'accept':
      return `_accept_connection (fd ${h.fd})`;
    case 'read':
      return `_read_ready (fd ${h.fd})`;
    case 'write':
      return `_write_ready (fd ${h.fd})`;
    case 'connection-made':
      return `connection_made (fd ${h.fd})`;
    case 'add-reader':
      return `_add_reader (fd ${h.fd})`;
    case 'set-result':
      return h.what === 'sleep' ? 'sleep() timer: set_result' : 'transport waiter: set_result';
    case 'connection-lost':
      return `_call_connection_lost (fd ${h.fd})`;
    case 'gather-done':
      return 'gather: _done_callback';
    case 'handler-done':
      return `${taskName(loop, h.task)} done callback`;
    case 'stop':
      return '_run_until_complete_cb: stop';
  }
}

export function timerText(loop: EventLoop | undefined, t: LoopTimer): string {
  return `at ${(t.when / 1e6).toFixed(3)} s: ${handleText(loop, t.handle)}`;
}

/** What a task awaits, e.g. "readline() on fd 7: no full line yet". */
export function taskWaitText(w: TaskWait): string {
  switch (w.kind) {
    case 'readline':
      return `reader.readline() on fd ${w.fd}: no full line yet`;
    case 'readexactly':
      return `reader.readexactly(${w.n ?? ''}) on fd ${w.fd}: not enough bytes yet`;
    case 'read':
      return `reader.read(${w.n ?? ''}) on fd ${w.fd}: nothing to read yet`;
    case 'drain':
      return `writer.drain() on fd ${w.fd}: the transport's buffer is above its high-water mark`;
    case 'wait_closed':
      return `writer.wait_closed() on fd ${w.fd}: the socket is not closed yet`;
    case 'sleep':
      return `asyncio.sleep(): its timer fires at ${(w.until / 1e6).toFixed(3)} s`;
    case 'task':
      return `${w.task} has not finished`;
    case 'gather':
      return `gather(): ${w.tasks.join(', ')} not all finished`;
    case 'serve_forever':
      return `serve_forever(): a future nothing sets, while the loop accepts on fd ${w.fd}`;
    case 'getaddrinfo':
      return `create_server(): gather() of the address lookup (${w.tasks.join(', ')})`;
    case 'connection_made':
      return `the transport's waiter: connection_made() has not run yet (fd ${w.fd})`;
  }
}

export type LoopStepKind =
  | { readonly kind: 'select'; readonly ready: number; readonly timers: number; readonly queued: number }
  | { readonly kind: 'handle'; readonly handle: LoopHandle };

const HANDLE_WHY: Readonly<Record<Exclude<LoopHandle['kind'], 'task-step'>, string>> = {
  accept: 'The listener was readable: accept() takes each waiting connection, makes it non-blocking and starts a task (_accept_connection2) to set up its transport.',
  read: 'The connection was readable: the transport makes one recv() and feeds the bytes to the StreamReader, waking a task that waits to read.',
  write: 'The connection was writable: the transport sends what its buffer holds.',
  'connection-made': 'The protocol makes a StreamWriter and starts the server’s handler as a new task.',
  'add-reader': 'The transport registers its socket with the selector for EVENT_READ.',
  'set-result': 'A future gets its result, and whatever waits on it is scheduled.',
  'connection-lost': 'connection_lost(): the reader gets EOF or the error, wait_closed() its answer, and the socket is closed.',
  'gather-done': 'gather() learns that one of its tasks has finished.',
  'handler-done': 'The handler’s task has finished: its transport is closed.',
  stop: 'The main task has finished: the loop stops after this iteration.',
};

export function explainLoopStep(w: LoopWorld, k: LoopStepKind): string {
  const loop = w.asyncio;
  if (k.kind === 'select') {
    const timeout = loop !== undefined && loop.ready.length > 0 ? 'with timeout 0, since callbacks are already waiting' : 'and waits';
    return `The event loop calls select() ${timeout}: ${plural(k.ready, 'socket')} ready, ${plural(k.timers, 'timer')} due; ${plural(k.queued, 'callback')} to run this iteration.`;
  }
  const h = k.handle;
  if (h.kind === 'task-step') return `The loop runs ${handleText(loop, h)}.`;
  return `The loop runs ${handleText(loop, h)}. ${HANDLE_WHY[h.kind]}`;
}
