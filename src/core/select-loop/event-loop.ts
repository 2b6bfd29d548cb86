import type { Frame } from '../python/frame.ts';
import type { Address } from './kernel.ts';
import type { PyValue } from './py-value.ts';

/**
 * asyncio's event loop as interpreter state, modelled on CPython 3.11's BaseSelectorEventLoop on
 * Linux: a FIFO of ready callbacks, timers ordered by time, and the epoll selector underneath
 * (world.selector, the same one lesson 5's programs use). Everything is data, so a view can show
 * each task's line and what it awaits, the ready queue and the timers, and a run can be replayed.
 */

/** What a suspended task awaits, as data; explain.ts turns it into words. */
export type TaskWait =
  /** StreamReader.readline()/readexactly(n)/read(n): the reader's buffer has no answer yet. */
  | { readonly kind: 'readline' | 'readexactly' | 'read'; readonly fd: number; readonly n?: number }
  /** StreamWriter.drain(): the transport's buffer is above its high-water mark. */
  | { readonly kind: 'drain'; readonly fd: number }
  /** StreamWriter.wait_closed(): the transport has not called connection_lost() yet. */
  | { readonly kind: 'wait_closed'; readonly fd: number }
  /** asyncio.sleep(): a timer sets the future at `until` (µs of simulated time). */
  | { readonly kind: 'sleep'; readonly until: number }
  /** await on another task, or on gather() of several. */
  | { readonly kind: 'task'; readonly task: string }
  | { readonly kind: 'gather'; readonly tasks: readonly string[] }
  /** Server.serve_forever(): a future nothing sets, while the listener's reader callback accepts. */
  | { readonly kind: 'serve_forever'; readonly fd: number }
  /** Inside start_server(): create_server() awaits gather() of its address lookups. */
  | { readonly kind: 'getaddrinfo'; readonly tasks: readonly string[] }
  /** Inside _accept_connection2(): the transport's waiter, set once connection_made() has run. */
  | { readonly kind: 'connection_made'; readonly fd: number };

/**
 * One callback in the ready queue (a Handle in CPython), named after the function it calls. The
 * loop runs them in FIFO order; ones added while running wait for the next iteration.
 */
export type LoopHandle =
  /** Task.__step or Task.__wakeup: the task runs until it awaits something not ready. */
  | { readonly kind: 'task-step'; readonly task: number }
  /** BaseSelectorEventLoop._accept_connection: the listener is readable; accept every waiting connection. */
  | { readonly kind: 'accept'; readonly fd: number; readonly sock: number }
  /** _SelectorSocketTransport._read_ready: recv() and feed the StreamReader. */
  | { readonly kind: 'read'; readonly fd: number; readonly sock: number }
  /** _SelectorSocketTransport._write_ready: send what the transport's buffer holds. */
  | { readonly kind: 'write'; readonly fd: number; readonly sock: number }
  /** StreamReaderProtocol.connection_made: makes the StreamWriter and the handler's task. */
  | { readonly kind: 'connection-made'; readonly fd: number; readonly sock: number }
  /** loop._add_reader: register the new connection for EVENT_READ. */
  | { readonly kind: 'add-reader'; readonly fd: number; readonly sock: number }
  /** futures._set_result_unless_cancelled: a timer's sleep future, or a transport's waiter. */
  | { readonly kind: 'set-result'; readonly future: number; readonly what: 'sleep' | 'waiter' }
  /** _SelectorTransport._call_connection_lost: tell the protocol, then close the socket. */
  | { readonly kind: 'connection-lost'; readonly fd: number; readonly sock: number; readonly exc: PyValue | undefined }
  /** gather()'s _done_callback for one child. */
  | { readonly kind: 'gather-done'; readonly gather: number; readonly child: number }
  /** The done callback StreamReaderProtocol adds to a handler's task: report its exception, close the transport. */
  | { readonly kind: 'handler-done'; readonly task: number; readonly sock: number }
  /** run_until_complete()'s done callback on the main task: stop the loop after this iteration. */
  | { readonly kind: 'stop' };

export type LoopTimer = { readonly when: number; readonly seq: number; readonly handle: LoopHandle };

/** What completing a future schedules: each becomes a LoopHandle at the end of the ready queue. */
export type FutureCallback =
  | { readonly kind: 'wake'; readonly task: number }
  | { readonly kind: 'gather'; readonly gather: number }
  | { readonly kind: 'handler-done'; readonly sock: number }
  | { readonly kind: 'stop' };

/** The loop's own coroutines, run by tasks that have no Python frames. */
export type InternalCoro =
  | { readonly kind: 'getaddrinfo' }
  | { readonly kind: 'accept-connection2'; readonly sock: number; readonly waiter: number | undefined }
  /** An asyncio coroutine (asyncio.sleep(…), say) given to create_task() or gather(). */
  | { readonly kind: 'await-op'; readonly coro: number };

export type TaskState = 'ready' | 'running' | 'waiting';

export type AsyncTask = {
  /** The N of CPython's default name Task-N; one counter for every task the process makes. */
  readonly id: number;
  readonly name: string;
  /** The coroutine's function, as CPython's Task repr names it: handle, main, _accept_connection2 … */
  readonly coro: string;
  /** The task's future on the heap (what the program holds and awaits). */
  readonly ref: number;
  /** The coroutine's frames, outermost first; empty for the loop's internal coroutines. */
  readonly frames: readonly Frame[];
  readonly internal: InternalCoro | undefined;
  /** The line the task runs next (its innermost frame's), or undefined for internal ones. */
  readonly line: number | undefined;
  readonly state: TaskState;
  /** What it awaits while waiting; undefined when ready or running. */
  readonly awaiting: TaskWait | undefined;
  /** The future it waits on, so cancel() can cancel it. */
  readonly waitingOn: number | undefined;
  /** Function names, outermost first. */
  readonly stack: readonly string[];
  /** The innermost frame's variables as Python would repr them. */
  readonly locals: Readonly<Record<string, string>>;
  /** cancel() was called: CancelledError is thrown in at the task's next await. */
  readonly mustCancel: boolean;
};

/** A connection's _SelectorSocketTransport with its StreamReaderProtocol, keyed by kernel socket. */
export type Transport = {
  readonly sock: number;
  readonly fd: number;
  readonly peer: Address;
  readonly reader: number;
  readonly writer: number | undefined;
  /** The protocol's _closed future, which wait_closed() awaits. */
  readonly closed: number;
  /** close() or a fatal error has begun closing it; no more reads. */
  readonly closing: boolean;
  /** close() or a fatal error has scheduled connection_lost() (CPython's _conn_lost): write() does nothing now. */
  readonly connLost: boolean;
  /** connection_lost() has run: the socket is closed. */
  readonly lost: boolean;
  /** The future a drain() above the high-water mark waits on. */
  readonly drainWaiter: number | undefined;
  /** Bytes write() could not hand to the kernel yet. */
  readonly buffer: string;
  /** The server's client_connected_cb. */
  readonly callback: PyValue;
  /** The handler's task, once connection_made() has made it. */
  readonly task: number | undefined;
};

export type EventLoop = {
  /** running: inside asyncio.run(); stopping: the main task is done and this iteration is the last. */
  readonly state: 'running' | 'stopping' | 'stopped';
  readonly mainTask: number;
  /** asyncio.run() is cancelling the tasks left when the main task finished, and runs the loop until they end. */
  readonly shutdown: boolean;
  /** Tasks not yet done, in the order they were made. */
  readonly tasks: readonly AsyncTask[];
  /** The ready queue (CPython's loop._ready), oldest first. */
  readonly ready: readonly LoopHandle[];
  /** How many callbacks at the head of `ready` this iteration still runs; 0: the next step calls select(). */
  readonly ntodo: number;
  /** The scheduled timers (loop._scheduled), earliest first. */
  readonly timers: readonly LoopTimer[];
  /** The task running now, between its first line and the await that suspends it. */
  readonly current: number | undefined;
  /** The self-pipe: the socketpair the loop makes to wake itself (fds 4 and 5 in CPython). */
  readonly selfPipe: readonly [number, number];
  /** Every connection's transport, in the order accepted; `lost` ones are closed and kept only as history. */
  readonly transports: readonly Transport[];
  /** Listening sockets served by start_server(), by kernel socket id. */
  readonly listeners: readonly { readonly sock: number; readonly server: number }[];
  /** Tasks created so far in the process: CPython's Task-N counter. */
  readonly tasksCreated: number;
  /** Tie-break for timers due at the same time: the order they were made. */
  readonly timerSeq: number;
  /** Loop iterations (select() calls) so far. */
  readonly iterations: number;
};

/** Appends callbacks to the ready queue, as loop.call_soon() does. */
export function callSoon(loop: EventLoop, ...handles: LoopHandle[]): EventLoop {
  return { ...loop, ready: [...loop.ready, ...handles] };
}

/** loop.call_later(): a timer kept in time order (ties in the order they were made). */
export function callAt(loop: EventLoop, when: number, handle: LoopHandle): EventLoop {
  const timer: LoopTimer = { when, seq: loop.timerSeq, handle };
  const timers = [...loop.timers, timer].sort((a, b) => a.when - b.when || a.seq - b.seq);
  return { ...loop, timers, timerSeq: loop.timerSeq + 1 };
}

export function taskById(loop: EventLoop, id: number): AsyncTask | undefined {
  return loop.tasks.find((t) => t.id === id);
}

export function patchTask(loop: EventLoop, id: number, patch: Partial<AsyncTask>): EventLoop {
  return { ...loop, tasks: loop.tasks.map((t) => (t.id === id ? { ...t, ...patch } : t)) };
}

export function transportOf(loop: EventLoop, sock: number): Transport | undefined {
  return loop.transports.find((t) => t.sock === sock);
}

export function patchTransport(loop: EventLoop, sock: number, patch: Partial<Transport>): EventLoop {
  return { ...loop, transports: loop.transports.map((t) => (t.sock === sock ? { ...t, ...patch } : t)) };
}

/** The earliest timer, if any: select()'s timeout runs until then. */
export function nextTimer(loop: EventLoop): number | undefined {
  return loop.timers[0]?.when;
}

/** What an asyncio coroutine object does when awaited; its progress is kept on the coroutine. */
export type AwaitOp =
  | { readonly op: 'readline' | 'readexactly' | 'read'; readonly reader: number; readonly n: number }
  | { readonly op: 'drain' | 'wait_closed'; readonly writer: number }
  | { readonly op: 'sleep'; readonly delay: number; readonly result: PyValue }
  | { readonly op: 'start_server'; readonly callback: PyValue; readonly host: PyValue; readonly port: PyValue }
  | { readonly op: 'serve_forever'; readonly server: number }
  /** Done at once with `result` (Server.wait_closed() after close()). */
  | { readonly op: 'value'; readonly result: PyValue };
