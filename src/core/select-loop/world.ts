import type { CallRecord, Frame, Traceback, Wait } from '../python/frame.ts';
import type { Heap } from '../python/heap.ts';
import { emptyHeap } from '../python/heap.ts';
import { MAIN_THREAD, MODULE, newFrame } from '../python/machine.ts';
import type { LoopInput } from './inputs.ts';
import type { Kernel } from './kernel.ts';
import { createKernel } from './kernel.ts';
import type { Program } from './program.ts';
import type { HeapObj, Vars } from './py-value.ts';
import { scenarioById } from './scenarios.ts';
import type { Selector } from './selector.ts';
import type { EventLoop } from './event-loop.ts';
import { refreshViews } from './refresh-views.ts';
import type { Ring, SyscallTally } from './uring.ts';

/** The ids of the course's programs; an edited program keeps the id of the one it started from. */
export type ProgramId = string;

export type { Frame, Wait, CallRecord, Traceback };

export type LoopThread = {
  readonly id: number;
  /** Python's own names: MainThread, Thread-1 (handle), … */
  readonly name: string;
  /** The line the thread runs next, 1-based. */
  readonly line: number;
  /** What the thread waits for, or undefined when its next line can run. */
  readonly wait: Wait | undefined;
  /** The innermost frame's variables as Python would repr them. */
  readonly locals: Readonly<Record<string, string>>;
  /** Function names, outermost first. */
  readonly stack: readonly string[];
  readonly frames: readonly Frame[];
};

export type LoopEvent = {
  /** loop: asyncio's event loop did its own work (a select() call, or one of its callbacks). */
  readonly kind: 'start' | 'line' | 'network' | 'injected' | 'clock' | 'loop';
  readonly thread?: string;
  /** The asyncio task whose line ran (thread is the one running the loop). */
  readonly task?: string;
  readonly line?: number;
  readonly input?: LoopInput;
  /** What the line asked of the simulated OS, in order, with results. */
  readonly calls?: readonly CallRecord[];
  /** One or two sentences: what happened and why. */
  readonly explanation: string;
};

export type Counters = {
  /** Calls that raised BlockingIOError: work done for nothing. */
  readonly wastedTries: number;
  /** Turns of a while loop that found nothing to do. */
  readonly wastedPasses: number;
  readonly selectCalls: number;
  /** Bytes the program's recv() calls returned, and bytes its send calls handed to the kernel. */
  readonly bytesIn: number;
  readonly bytesOut: number;
};

/** How a program that never blocks gives the network its turn: after `passes` idle turns of a loop. */
export type Spin = { readonly passes: number; readonly progress: boolean; readonly polled: boolean };

export type LoopWorld = {
  readonly step: number;
  readonly programId: ProgramId;
  readonly program: Program;
  readonly scenarioId: string;
  /** What a client program reaches when it connects: a simulated echo or chat server, or nothing. */
  readonly server: 'echo' | 'chat' | undefined;
  readonly threads: readonly LoopThread[];
  readonly kernel: Kernel;
  /** undefined for programs that never create a selector. */
  readonly selector: Selector | undefined;
  /** asyncio's event loop, from asyncio.run() on; undefined for programs that never start one. */
  readonly asyncio: EventLoop | undefined;
  readonly globals: Vars;
  /** Lists, dicts, namespaces, locks, threads … by reference. */
  readonly heap: Heap<HeapObj>;
  /** Lines typed at the program's terminal that input() has not read yet. */
  readonly stdin: readonly string[];
  /** The terminal: what the program printed, prompts with what was typed, and tracebacks. */
  readonly output: readonly string[];
  /** What print() wrote and input() echoed, without tracebacks (CPython's stdout). */
  readonly stdout: readonly string[];
  /** The last output line has no newline yet (print(…, end='')). */
  readonly outputOpen: boolean;
  readonly tracebacks: readonly Traceback[];
  readonly counters: Counters;
  readonly event: LoopEvent;
  readonly schedule: readonly LoopInput[];
  /** Index of the next scheduled input. */
  readonly nextInput: number;
  /** The thread that ran last, so the next line goes to the next runnable thread after it. */
  readonly lastThread: number;
  /** Thread objects created so far, for Python's Thread-N names. */
  readonly threadsCreated: number;
  readonly spin: Spin;
  readonly spinPasses: number;
  /** Simulated time in µs; only time.sleep() moves it. */
  readonly clock: number;
  /** The process has ended: its main thread returned or died and no non-daemon thread is left. */
  readonly exited: boolean;
  /** The io_uring teaching module's ring, once the program makes one. */
  readonly ring?: Ring;
  /** System calls and wake-ups so far, for programs whose info asks for them (countsSyscalls). */
  readonly syscalls?: SyscallTally;
};

export type LoopOptions = {
  /** Idle turns a never-blocking loop makes before the next network input is applied; 1 by default. */
  readonly spinPasses?: number;
  /** Bytes each connection's send buffer holds; the scenario's, else Linux's default. */
  readonly sendBuffer?: number;
  /** Replaces the scenario's inputs, e.g. with a learner's real traffic. */
  readonly schedule?: readonly LoopInput[];
};

export function createLoop(program: Program, scenarioId: string, options: LoopOptions = {}): LoopWorld {
  const scenario = scenarioById(scenarioId);
  const frame = newFrame(MODULE, undefined, program.module.body, {}, 0, undefined);
  const main: LoopThread = { id: MAIN_THREAD, name: 'MainThread', line: frame.line, wait: undefined, locals: {}, stack: [MODULE], frames: [frame] };
  const world: LoopWorld = {
    step: 0,
    programId: program.id,
    program,
    scenarioId,
    server: program.connectsTo,
    threads: [main],
    kernel: createKernel(options.sendBuffer ?? scenario.sendBuffer),
    selector: undefined,
    asyncio: undefined,
    globals: { __name__: { type: 'str', value: '__main__' } },
    heap: emptyHeap(),
    stdin: [],
    output: [],
    stdout: [],
    outputOpen: false,
    tracebacks: [],
    counters: { wastedTries: 0, wastedPasses: 0, selectCalls: 0, bytesIn: 0, bytesOut: 0 },
    event: { kind: 'start', explanation: `${program.title} — ${scenario.title}: ${scenario.description}` },
    schedule: options.schedule ?? scenario.events,
    nextInput: 0,
    lastThread: MAIN_THREAD - 1,
    threadsCreated: 0,
    // The first arrival at a loop head is not an idle turn: nothing has had a chance to happen yet.
    spin: { passes: 0, progress: true, polled: false },
    spinPasses: options.spinPasses ?? 1,
    clock: 0,
    exited: program.module.body.length === 0,
  };
  return refreshViews(world.exited ? { ...world, threads: [] } : world);
}
