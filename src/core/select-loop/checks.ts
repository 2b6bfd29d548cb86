import type { Wait } from '../python/frame.ts';
import type { LoopInput } from './inputs.ts';
import type { Program } from './program.ts';
import { buildRun, type LoopRun } from './run-source.ts';
import type { LoopWorld } from './world.ts';

/**
 * "Test my server": checks are data — a scenario (check-scenarios.ts) and an oracle over the
 * finished run — run by the same machinery as every stepper, so a result is reproducible from its
 * link (program text, check, step).
 *
 * The oracle works at deadlines. The simulator applies a scenario's next input only when the program
 * can do nothing more without one (every thread waits, or a loop that never blocks has spun), so the
 * world just before each input is the moment the server has had every chance to answer. At each
 * deadline, and at the end of the run, every client that is still connected and reads normally must
 * have received everything owed to it: an echo server owes a client every byte it sent (at a deadline,
 * every whole line — a server that echoes line by line may hold a line's start until its newline
 * comes — and at the end, every byte); a chat server
 * owes a member every whole line the others completed while it was a member, in the order the lines
 * were completed. A slow reader is judged only at the end, after it has read.
 *
 * Which step a finding names (the step from which the outcome was determined):
 * - bytes a client must never get (a torn or wrong message): the first step at which the program
 *   handed the kernel, for that client, bytes that are not a prefix of what it is owed;
 * - bytes that never came (an unanswered client, lost bytes): the last step at which the program did
 *   anything for that client — accepted it, read from or wrote to its socket — since after it the
 *   program never served that client again; if it never did, the step where the client's bytes arrived;
 * - a loop that spins while it waits (the slow-reader check): the first deadline reached by spinning;
 * - a server whose process ended while clients were connected: the step it ended;
 * - in every case, a thread that died of an uncaught exception first is named, with its step.
 *
 * A deadline at which the program waits in select() for a timer (an event loop whose task awaits
 * asyncio.sleep(), say) judges no missing reply: the loop may hold one on purpose while it serves the
 * others, and the reply falls due at the next deadline without a timer, or at the end. A thread in
 * time.sleep() is not waiting in select(), so it is judged as usual: it serves nobody meanwhile.
 */

export type CheckSuite = 'echo' | 'chat';

export type Check = {
  readonly id: string;
  /** 1-based, within its suite: lessons' exercises say "make the server survive check 5". */
  readonly number: number;
  readonly suite: CheckSuite;
  readonly title: string;
  /** What a server must do to pass, in one sentence. */
  readonly must: string;
  /** The scenario in check-scenarios.ts. */
  readonly scenario: string;
  /** Whether a loop that never blocks, spinning while it waits, fails the check. */
  readonly noSpinning?: boolean;
};

export const CHECKS: readonly Check[] = [
  { id: 'echo-order', number: 1, suite: 'echo', title: 'Clients in reverse order', must: 'answer every client while the others stay connected', scenario: 'check-echo-order' },
  { id: 'echo-pieces', number: 2, suite: 'echo', title: 'Split and merged', must: 'echo every byte, however the segments cut the lines', scenario: 'check-echo-pieces' },
  { id: 'echo-large', number: 3, suite: 'echo', title: 'A large message', must: 'get a message out whole when send() takes only part of it', scenario: 'check-echo-large' },
  {
    id: 'echo-slow',
    number: 4,
    suite: 'echo',
    title: 'A slow reader',
    must: 'keep serving others while one client’s buffers are full, without spinning',
    scenario: 'check-echo-slow',
    noSpinning: true,
  },
  { id: 'echo-abrupt', number: 5, suite: 'echo', title: 'A reset and a half-close', must: 'survive a reset and answer a client that has closed its sending side', scenario: 'check-echo-abrupt' },
  { id: 'chat-order', number: 1, suite: 'chat', title: 'Members in reverse order', must: 'relay every line to every other member', scenario: 'check-chat-order' },
  { id: 'chat-framing', number: 2, suite: 'chat', title: 'Whole messages', must: 'relay whole lines, never pieces of one mixed with another', scenario: 'check-chat-framing' },
  { id: 'chat-leave', number: 3, suite: 'chat', title: 'A member leaves mid-chat', must: 'keep the others talking after a member resets', scenario: 'check-chat-leave' },
];

export function checksFor(suite: CheckSuite): readonly Check[] {
  return CHECKS.filter((check) => check.suite === suite);
}

export function checkById(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}

/** A thread that died of an uncaught exception: which, what, and the step its traceback appeared. */
export type Crash = { readonly thread: string; readonly type: string; readonly message: string; readonly step: number };

/** Where the program's threads were at a deadline: each thread and what it waited on (undefined: it was running, a loop that never blocks). */
export type ThreadsAt = readonly { readonly thread: string; readonly line: number; readonly wait: Wait | undefined }[];

export type Finding =
  /** The client was owed bytes at a deadline (or at the end) and had received only a prefix of them. */
  | {
      readonly kind: 'unanswered';
      readonly client: string;
      /** What it was owed and had not received. */
      readonly missing: string;
      readonly owed: string;
      /** The deadline: the world just before the next input (or the run's last). */
      readonly deadline: number;
      /** The scenario input that came next; undefined at the end of the run. */
      readonly before: LoopInput | undefined;
      /** Whether the program ever did anything for this client (accepted it, read or wrote its socket). */
      readonly served: boolean;
      readonly threads: ThreadsAt;
    }
  /** The program handed the kernel bytes for this client that are not what it is owed. */
  | { readonly kind: 'wrong-bytes'; readonly client: string; readonly owed: string; readonly written: string }
  /** The program was spinning, never blocking, while it waited for the network. */
  | { readonly kind: 'spinning'; readonly deadline: number; readonly wastedPasses: number }
  /** The server's process ended while clients were still connected to it (its main thread died, or returned). */
  | { readonly kind: 'exited'; readonly deadline: number };

/** What a good server keeps low, measured over the whole run. */
export type Costs = {
  /** Turns of a loop that found nothing to do, and calls that raised BlockingIOError. */
  readonly wasted: number;
  readonly selectCalls: number;
  /** Bytes the program handed to the kernel per byte its clients were owed. */
  readonly bytesPerOwed: number;
  /** The most threads alive at once. */
  readonly threads: number;
};

export type CheckResult = {
  readonly check: Check;
  readonly pass: boolean;
  readonly finding: Finding | undefined;
  readonly crash: Crash | undefined;
  /** The step a learner should open: where the outcome was determined (0 when the check passed). */
  readonly step: number;
  readonly costs: Costs;
  readonly steps: number;
};

/** `owed`: what the client may be sent by now; `due`: the part of it that must have arrived. */
type Owed = { readonly client: string; readonly owed: string; readonly due: string };

/** Up to and including the last newline: the whole lines of `bytes`. */
const wholeLines = (bytes: string) => bytes.slice(0, bytes.lastIndexOf('\n') + 1);

/** The chat as the oracle follows it: each sender's unfinished line, and who is a member (hears what is completed). */
type ChatLog = { readonly partial: Map<string, string>; readonly members: Set<string> };

function peersOf(world: LoopWorld) {
  return world.kernel.peers;
}

/** Who is owed what at this world. `heard` is what each chat member should have heard so far (updated by the caller as inputs arrive). */
function owedAt(world: LoopWorld, suite: CheckSuite, heard: Map<string, string>, end: boolean): Owed[] {
  return peersOf(world)
    .filter((peer) => peer.state !== 'refused' && peer.state !== 'connecting')
    .map((peer) => {
      const owed = suite === 'echo' ? peer.sent : (heard.get(peer.name) ?? '');
      return { client: peer.name, owed, due: suite === 'echo' && !end ? wholeLines(owed) : owed };
    });
}

/** Updates the chat log with what each peer has sent since `before`, at the input that `after` applied. */
function followChat(before: LoopWorld | undefined, after: LoopWorld, log: ChatLog, heard: Map<string, string>): void {
  for (const peer of peersOf(after)) {
    const previous = before === undefined ? undefined : peersOf(before).find((p) => p.name === peer.name);
    if (previous === undefined) log.members.add(peer.name);
    // A member stops hearing the room once it closes or resets: the server sees its EOF or RST.
    if (peer.finSent || peer.state === 'reset') log.members.delete(peer.name);
    const added = peer.sent.slice(previous?.sent.length ?? 0);
    if (added === '') continue;
    let buffer = (log.partial.get(peer.name) ?? '') + added;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const text = buffer.slice(0, end + 1);
      buffer = buffer.slice(end + 1);
      for (const member of log.members) if (member !== peer.name) heard.set(member, (heard.get(member) ?? '') + text);
    }
    log.partial.set(peer.name, buffer);
  }
}

/** The last step, up to `until`, at which the program did anything for `client`; if none, the step its first bytes arrived (else the step it connected). */
function lastServed(worlds: readonly LoopWorld[], client: string, until: number): { step: number; served: boolean } {
  let connected: number | undefined;
  let arrived: number | undefined;
  let last: number | undefined;
  for (let i = 1; i <= until; i++) {
    const now = peersOf(worlds[i] as LoopWorld).find((p) => p.name === client);
    const then = peersOf(worlds[i - 1] as LoopWorld).find((p) => p.name === client);
    if (now === undefined) continue;
    connected ??= i;
    if (then === undefined) continue;
    if (now.sent !== then.sent) arrived ??= i;
    if (now.readByProgram !== then.readByProgram || now.writtenByProgram !== then.writtenByProgram || (now.socket !== undefined && then.socket === undefined)) last = i;
  }
  return { step: last ?? arrived ?? connected ?? 0, served: last !== undefined };
}

/** The first step at which the program wrote, for `client`, bytes that are not a prefix of `owed`. */
function firstWrongWrite(worlds: readonly LoopWorld[], client: string, owed: string): number | undefined {
  for (let i = 0; i < worlds.length; i++) {
    const peer = peersOf(worlds[i] as LoopWorld).find((p) => p.name === client);
    if (peer !== undefined && !owed.startsWith(peer.writtenByProgram)) return i;
  }
  return undefined;
}

function firstCrash(worlds: readonly LoopWorld[], until: number): Crash | undefined {
  for (let i = 0; i <= until && i < worlds.length; i++) {
    const traceback = (worlds[i] as LoopWorld).tracebacks[0];
    if (traceback !== undefined) return { thread: traceback.thread, type: traceback.type, message: traceback.message, step: i };
  }
  return undefined;
}

/** The program waits in select() with a timeout: an event loop with a timer to run (time.sleep() in a thread is not this). */
function timerPending(world: LoopWorld): boolean {
  return world.threads.some((thread) => thread.wait?.call === 'select' && thread.wait.until !== undefined);
}

function threadsAt(world: LoopWorld): ThreadsAt {
  return world.threads.map((thread) => ({ thread: thread.name, line: thread.line, wait: thread.wait }));
}

function costsOf(worlds: readonly LoopWorld[], owedBytes: number): Costs {
  const last = worlds[worlds.length - 1] as LoopWorld;
  return {
    wasted: last.counters.wastedPasses + last.counters.wastedTries,
    selectCalls: last.counters.selectCalls,
    bytesPerOwed: owedBytes === 0 ? 0 : last.counters.bytesOut / owedBytes,
    threads: Math.max(...worlds.map((world) => world.threads.length)),
  };
}

/** Judges a finished run of `check`'s scenario. Pure: the same run always gives the same result. */
export function judge(check: Check, run: LoopRun): CheckResult {
  const worlds = run.worlds;
  const log: ChatLog = { partial: new Map(), members: new Set() };
  const heard = new Map<string, string>();
  let finding: Finding | undefined;
  let step = 0;
  let deadline = worlds.length - 1;
  const slow = (world: LoopWorld, client: string) => peersOf(world).find((p) => p.name === client)?.slowReader === true;
  let followed = -1;
  /** Brings the chat log up to world `upTo`. */
  const follow = (upTo: number) => {
    for (; followed < upTo; followed++) {
      const world = worlds[followed + 1] as LoopWorld;
      if (world.event.input !== undefined) followChat(worlds[followed], world, log, heard);
    }
  };

  /** The step at which each client reset its own connection; a connection the server's side reset is still owed its bytes. */
  const resetAt = new Map<string, number>();
  worlds.forEach((world, i) => {
    if (world.event.input?.kind === 'reset' && !resetAt.has(world.event.input.client)) resetAt.set(world.event.input.client, i);
  });
  const excused = (client: string, at: number) => (resetAt.get(client) ?? Infinity) <= at;

  // Deadlines: the world before each scheduled input, then the last world.
  for (let i = 0; i < worlds.length && finding === undefined; i++) {
    const world = worlds[i] as LoopWorld;
    const next = worlds[i + 1];
    const isDeadline = next === undefined || (next.event.kind === 'network' && next.event.input !== undefined);
    follow(i);
    if (!isDeadline) continue;
    const end = next === undefined;
    // A server must outlive its clients: a process that ended (an uncaught exception in its main thread, say) serves nobody.
    if (world.exited && peersOf(world).some((peer) => !excused(peer.name, i) && peer.state !== 'refused')) {
      finding = { kind: 'exited', deadline: i };
      step = worlds.findIndex((w) => w.exited);
      deadline = i;
      break;
    }
    if (check.noSpinning === true && !end && !world.threads.every((thread) => thread.wait !== undefined) && !world.exited) {
      finding = { kind: 'spinning', deadline: i, wastedPasses: world.counters.wastedPasses + world.counters.wastedTries };
      step = i;
      deadline = i;
      break;
    }
    for (const { client, owed, due } of owedAt(world, check.suite, heard, end)) {
      const peer = peersOf(world).find((p) => p.name === client);
      if (peer === undefined || excused(client, i)) continue;
      if (!end && slow(world, client)) continue;
      if (!owed.startsWith(peer.received) || !owed.startsWith(peer.writtenByProgram)) {
        const wrong = firstWrongWrite(worlds, client, owed) ?? i;
        finding = { kind: 'wrong-bytes', client, owed, written: (peersOf(worlds[wrong] as LoopWorld).find((p) => p.name === client)?.writtenByProgram ?? '') };
        step = wrong;
        deadline = i;
        break;
      }
      // An event loop waiting in select() for its next timer may be holding a reply on purpose (asyncio.sleep) while it
      // serves everyone else: the reply is due once the timers have run, so only the next deadline without one judges it.
      if (peer.received.length < due.length && !(timerPending(world) && !end)) {
        const served = lastServed(worlds, client, i);
        finding = {
          kind: 'unanswered',
          client,
          owed: due,
          missing: due.slice(peer.received.length),
          deadline: i,
          before: next?.event.input,
          threads: threadsAt(world),
          served: served.served,
        };
        step = served.step;
        deadline = i;
        break;
      }
    }
  }
  // Costs cover the whole run, whatever the oracle found first.
  follow(worlds.length - 1);
  const owedBytes = owedAt(worlds[worlds.length - 1] as LoopWorld, check.suite, heard, true).reduce((sum, item) => sum + item.owed.length, 0);
  const crash = finding === undefined ? undefined : firstCrash(worlds, deadline);
  return {
    check,
    pass: finding === undefined,
    finding,
    crash,
    step: crash !== undefined && crash.step <= deadline ? crash.step : step,
    costs: costsOf(worlds, owedBytes),
    steps: worlds.length - 1,
  };
}

/** Runs one check on a program (the lesson's or a learner's edit). */
export function runCheck(program: Program, check: Check): CheckResult {
  return judge(check, buildRun(program, check.scenario));
}

/** Each cost of `result` as a ratio to the reference program's on the same check (1 = as good). */
export function costRatios(result: Costs, reference: Costs): Record<keyof Costs, number | undefined> {
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 1 : undefined) : a / b);
  return {
    wasted: ratio(result.wasted, reference.wasted),
    selectCalls: ratio(result.selectCalls, reference.selectCalls),
    bytesPerOwed: ratio(result.bytesPerOwed, reference.bytesPerOwed),
    threads: ratio(result.threads, reference.threads),
  };
}

/** The course's servers that "Test my server" offers, the suite each faces, and the reference its costs are compared with. */
export const TESTABLE: Readonly<Record<string, { readonly suite: CheckSuite; readonly reference: string }>> = {
  'blocking-echo': { suite: 'echo', reference: 'selectors-server-modify' },
  'nonblocking-busy': { suite: 'echo', reference: 'selectors-server-modify' },
  'selectors-server': { suite: 'echo', reference: 'selectors-server-modify' },
  'selectors-server-modify': { suite: 'echo', reference: 'selectors-server-modify' },
  'chat-server': { suite: 'chat', reference: 'chat-server-framed' },
  'chat-server-framed': { suite: 'chat', reference: 'chat-server-framed' },
  'asyncio-echo-server': { suite: 'echo', reference: 'asyncio-echo-server' },
  'asyncio-echo-blocking': { suite: 'echo', reference: 'asyncio-echo-server' },
  'asyncio-chat-server': { suite: 'chat', reference: 'asyncio-chat-server' },
};
