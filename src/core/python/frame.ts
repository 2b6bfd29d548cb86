import type { FunctionCode, Stmt } from './ast.ts';
import type { PyValue, Vars } from '../select-loop/py-value.ts';

/**
 * A thread's execution state as plain data: frames of blocks, so a world can be kept per step,
 * replayed, forked and compared. Nothing here is a JS closure or generator.
 */

/** How a block is left early: Python's return, break, continue, or an exception on its way out. */
export type Completion =
  | { readonly kind: 'return'; readonly value: PyValue }
  | { readonly kind: 'break' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'raise'; readonly exc: PyValue; readonly tb: readonly TracebackEntry[] };

/** What a for loop walks: a list by reference (it sees appends, as CPython's iterator does), or a snapshot. */
export type IterState = { readonly over: PyValue; readonly index: number };

export type WhileStmt = Extract<Stmt, { k: 'while' }>;
export type ForStmt = Extract<Stmt, { k: 'for' }>;
export type WithStmt = Extract<Stmt, { k: 'with' }>;
export type TryStmt = Extract<Stmt, { k: 'try' }>;

export type Block =
  /** Runs stmts[index] next. */
  | { readonly kind: 'seq'; readonly stmts: readonly Stmt[]; readonly index: number }
  /** atHeader: the loop's line runs next (test again, or take the next item). */
  | { readonly kind: 'loop'; readonly stmt: WhileStmt | ForStmt; readonly atHeader: boolean; readonly iter: IterState | undefined }
  /** exiting: the `with` line runs next, calling __exit__. */
  | { readonly kind: 'with'; readonly stmt: WithStmt; readonly ctx: PyValue; readonly exiting: boolean }
  | {
      readonly kind: 'try';
      readonly stmt: TryStmt;
      /** handler: the except clause `handler` is tested next; except: its body runs. */
      readonly phase: 'body' | 'handler' | 'except' | 'else' | 'finally';
      readonly handler: number;
      /** The exception being matched or handled. */
      readonly exc: PyValue | undefined;
      readonly tb: readonly TracebackEntry[];
      /** What resumes after the finally block. */
      readonly pending: Completion | undefined;
    };

/** Results of the calls a line has already made, by their order in the line, so re-running it after a callee returns does not repeat them. */
export type Memo = { readonly kind: 'value'; readonly value: PyValue } | { readonly kind: 'partial'; readonly state: number };

export type Frame = {
  readonly fn: string;
  /** undefined for the module's frame, whose names are the globals. */
  readonly code: FunctionCode | undefined;
  readonly vars: Vars;
  readonly blocks: readonly Block[];
  /** The line of the action that runs next: a statement, a loop header, an except clause, or a `with` being left. */
  readonly line: number;
  readonly memo: readonly Memo[];
  /** The call index in the caller's line this frame answers. */
  readonly callIndex: number;
  /** A constructor call: the caller receives this instance, not __init__'s None. */
  readonly ctor: PyValue | undefined;
  /** An unwinding paused at a `with` exit. */
  readonly pending: Completion | undefined;
  /** The coroutine object this frame runs, for an async def's frame. */
  readonly coro?: number;
};

export type TracebackEntry = { readonly file: string; readonly line: number; readonly fn: string };

/** What a thread waits for: the call and its file descriptor, or the lock, the prompt, the thread. */
export type Wait =
  /** until: the socket's timeout runs out then (µs), and the call raises TimeoutError. */
  | { readonly call: 'accept' | 'recv' | 'send' | 'sendall' | 'connect'; readonly fd: number; readonly max?: number; readonly remaining?: number; readonly total?: number; readonly until?: number }
  /** until: select()'s timeout ends then (µs), as asyncio's loop sets it from its earliest timer. */
  | { readonly call: 'select'; readonly fds: readonly number[]; readonly until?: number }
  | { readonly call: 'input'; readonly prompt: string }
  | { readonly call: 'lock'; readonly holder: string }
  | { readonly call: 'join'; readonly thread: string }
  | { readonly call: 'sleep'; readonly until: number }
  /** Inside io_uring_enter(), asleep until the ring's CQ holds `want` CQEs. */
  | { readonly call: 'io_uring_enter'; readonly ring: number; readonly want: number; readonly inFlight: number };

/** One call a line made into the simulated OS, with what it returned or raised. */
export type CallRecord = {
  /** e.g. 'socket', 'bind', 'accept', 'recv', 'send', 'sendall', 'close', 'select', 'register', 'print', 'input'. */
  readonly call: string;
  readonly fd?: number;
  /** The call's arguments as Python reprs, for display. */
  readonly args?: readonly string[];
  /** What the call returned (a repr) … */
  readonly result?: string;
  /** … or the exception it raised, as the traceback's last line would show it. */
  readonly raised?: string;
  /** Bytes moved, for send/recv: the count CPython returns or the length of what it returned. */
  readonly bytes?: number;
  /** The peer at the other end, when there is one. */
  readonly peer?: string;
  /** The system call it made, for calls whose name does not say (an io_uring call may make none). */
  readonly syscall?: string;
};

export type Traceback = {
  readonly thread: string;
  readonly entries: readonly (TracebackEntry & { readonly code: string })[];
  readonly type: string;
  readonly message: string;
  /** As CPython prints it to stderr (without the caret lines 3.11 adds under an expression). */
  readonly text: readonly string[];
};
