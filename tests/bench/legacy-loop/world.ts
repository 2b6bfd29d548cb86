import type { LoopInput } from './inputs.ts';
import type { Kernel } from './kernel.ts';
import { createKernel } from './kernel.ts';
import { MAIN_THREAD, MODULE } from './interpreter.ts';
import { programById } from './programs.ts';
import type { Vars } from './py-value.ts';
import { scenarioById } from './scenarios.ts';
import type { Selector } from './selector.ts';
import { refreshViews } from './refresh-views.ts';

export type ProgramId =
  | 'blocking-echo'
  | 'nonblocking-busy'
  | 'selectors-server'
  | 'selectors-client'
  | 'chat-server'
  | 'chat-client-buggy'
  | 'chat-client-fixed';

/** One Python call frame. Names starting with `$` are the interpreter's own bookkeeping (loop positions, bytes still to send), never shown. */
export type Frame = {
  readonly fn: string;
  /** The line this frame runs next (1-based); while a callee runs, the line of the call. */
  readonly line: number;
  /** A function's locals; module-level names live in LoopWorld.globals instead. */
  readonly vars: Vars;
  /** The `with` statement on `line` is being left (its __exit__ runs), not entered. */
  readonly exiting: boolean;
  /** Where the caller goes on when this frame returns; undefined for a thread's first frame. */
  readonly returnTo: number | undefined;
};

export type LoopThread = {
  readonly id: number;
  /** Python's own names: MainThread, Thread-1 (handle), … */
  readonly name: string;
  /** The line the thread runs next, 1-based. */
  readonly line: number;
  /** What the thread waits for, or undefined when its next line can run. */
  readonly blockedOn: string | undefined;
  /** The innermost frame's variables as Python would repr them. */
  readonly locals: Readonly<Record<string, string>>;
  /** Function names, outermost first. */
  readonly stack: readonly string[];
  readonly frames: readonly Frame[];
};

export type LoopEvent = {
  readonly kind: 'start' | 'line' | 'network' | 'injected';
  readonly thread?: string;
  readonly line?: number;
  readonly input?: LoopInput;
  /** One or two sentences: what happened and why. */
  readonly explanation: string;
};

export type Counters = {
  /** Calls that raised BlockingIOError: work done for nothing. */
  readonly wastedTries: number;
  /** Turns of an event loop that found nothing to do. */
  readonly wastedPasses: number;
  readonly selectCalls: number;
  /** Bytes the program's recv() calls returned, and bytes its send calls handed to the kernel. */
  readonly bytesIn: number;
  readonly bytesOut: number;
};

/** How a program that never blocks gives the network its turn: after `passes` idle turns of its loop. */
export type Spin = { readonly passes: number; readonly progress: boolean };

export type LoopWorld = {
  readonly step: number;
  readonly programId: ProgramId;
  readonly scenarioId: string;
  readonly threads: readonly LoopThread[];
  readonly kernel: Kernel;
  /** undefined for programs that never create a selector. */
  readonly selector: Selector | undefined;
  readonly globals: Vars;
  /** SimpleNamespace objects by reference. */
  readonly heap: Readonly<Record<number, Vars>>;
  readonly nextRef: number;
  /** Lines typed at the program's terminal that input() has not read yet. */
  readonly stdin: readonly string[];
  readonly output: readonly string[];
  readonly counters: Counters;
  readonly event: LoopEvent;
  readonly schedule: readonly LoopInput[];
  /** Index of the next scheduled input. */
  readonly nextInput: number;
  /** The thread that ran last, so the next line goes to the next runnable thread after it. */
  readonly lastThread: number;
  /** Threads created so far, for Python's Thread-N names. */
  readonly threadsCreated: number;
  readonly spin: Spin;
  readonly spinPasses: number;
  /** The process has ended: its main thread returned or died. */
  readonly exited: boolean;
};

export type LoopOptions = {
  /** Idle turns a never-blocking loop makes before the next network input is applied; 1 by default. */
  readonly spinPasses?: number;
  /** Bytes each connection's send buffer holds; the scenario's, else Linux's default. */
  readonly sendBuffer?: number;
  /** Replaces the scenario's inputs, e.g. with a learner's real traffic. */
  readonly schedule?: readonly LoopInput[];
};

export function createLoop(programId: ProgramId, scenarioId: string, options: LoopOptions = {}): LoopWorld {
  const program = programById(programId);
  const scenario = scenarioById(scenarioId);
  const main: LoopThread = {
    id: MAIN_THREAD,
    name: 'MainThread',
    line: 1,
    blockedOn: undefined,
    locals: {},
    stack: [MODULE],
    frames: [{ fn: MODULE, line: 1, vars: {}, exiting: false, returnTo: undefined }],
  };
  const world: LoopWorld = {
    step: 0,
    programId,
    scenarioId,
    threads: [main],
    kernel: createKernel(options.sendBuffer ?? scenario.sendBuffer),
    selector: undefined,
    globals: {},
    heap: {},
    nextRef: 1,
    stdin: [],
    output: [],
    counters: { wastedTries: 0, wastedPasses: 0, selectCalls: 0, bytesIn: 0, bytesOut: 0 },
    event: { kind: 'start', explanation: `${program.title} — ${scenario.title}: ${scenario.description}` },
    schedule: options.schedule ?? scenario.events,
    nextInput: 0,
    lastThread: MAIN_THREAD - 1,
    threadsCreated: 0,
    // The first arrival at a loop head is not an idle turn: nothing has had a chance to happen yet.
    spin: { passes: 0, progress: true },
    spinPasses: options.spinPasses ?? 1,
    exited: false,
  };
  return refreshViews(world, program);
}
