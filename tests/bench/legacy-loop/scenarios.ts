import type { LoopInput } from './inputs.ts';
import type { ProgramId } from './world.ts';

/**
 * A scenario is a schedule of network inputs. The simulator applies the next one only when every
 * thread is blocked (or a loop that never blocks has spun), so the program always gets to react first.
 */
export type LoopScenario = {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The programs the scenario was written for; others can run it but may skip its inputs. */
  readonly programs: readonly ProgramId[];
  readonly events: readonly LoopInput[];
  /** Bytes each connection's send buffer holds, when not Linux's default. */
  readonly sendBuffer?: number;
};

const SERVERS: readonly ProgramId[] = ['blocking-echo', 'nonblocking-busy', 'selectors-server', 'chat-server'];

export const SCENARIOS: readonly LoopScenario[] = [
  {
    id: 'one-client',
    title: 'One client',
    description: 'A connects, sends one line and closes.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'send', client: 'A', data: 'hello\n' },
      { kind: 'close', client: 'A' },
    ],
  },
  {
    id: 'three-clients',
    title: 'Three clients, interleaved',
    description: 'A and B connect, A talks, C connects, B and C talk, A talks again, and all three close.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B' },
      { kind: 'send', client: 'A', data: 'hi from A\n' },
      { kind: 'connect', client: 'C' },
      { kind: 'send', client: 'B', data: 'hi from B\n' },
      { kind: 'send', client: 'C', data: 'hi from C\n' },
      { kind: 'send', client: 'A', data: 'bye\n' },
      { kind: 'close', client: 'A' },
      { kind: 'close', client: 'B' },
      { kind: 'close', client: 'C' },
    ],
  },
  {
    id: 'slow-reader',
    title: 'A slow reader',
    description:
      'Send buffers hold 16 bytes here. A sends a 34-byte line but reads the echo slowly, so the server cannot hand it all to the kernel at once: send() sends part of it, and the rest waits for room.',
    programs: ['selectors-server', 'blocking-echo'],
    sendBuffer: 16,
    events: [
      { kind: 'connect', client: 'A', slowReader: true },
      { kind: 'send', client: 'A', data: 'this line is longer than 16 bytes\n' },
      { kind: 'drain', client: 'A', bytes: 10 },
      { kind: 'drain', client: 'A', bytes: 16 },
      { kind: 'drain', client: 'A', bytes: 8 },
      { kind: 'close', client: 'A' },
    ],
  },
  {
    id: 'disconnect',
    title: 'A client disconnects',
    description: 'A, B and C connect; B says goodbye and closes while A and C carry on.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B' },
      { kind: 'connect', client: 'C' },
      { kind: 'send', client: 'B', data: 'bye from B\n' },
      { kind: 'close', client: 'B' },
      { kind: 'send', client: 'A', data: 'is B gone?\n' },
      { kind: 'send', client: 'C', data: 'yes\n' },
      { kind: 'close', client: 'A' },
      { kind: 'close', client: 'C' },
    ],
  },
  {
    id: 'split-message',
    title: 'One message, two segments',
    description:
      'A sends "hello\\n" as two TCP segments, "hel" and then "lo\\n". TCP is a byte stream: the server gets no message boundaries, and its first recv() returns only the bytes that have arrived.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'send', client: 'A', data: 'hel' },
      { kind: 'send', client: 'A', data: 'lo\n' },
      { kind: 'close', client: 'A' },
    ],
  },
  {
    id: 'live',
    title: 'Your own traffic',
    description: 'Nothing is scheduled: connect, send and close from the terminal, or inject events, and watch the server react.',
    programs: SERVERS,
    events: [],
  },
  {
    id: 'echo-server',
    title: 'Two connections to an echo server',
    description: 'The client opens two non-blocking connections to an echo server, sends two messages on each and closes each once every byte has come back.',
    programs: ['selectors-client'],
    events: [],
  },
  {
    id: 'chat',
    title: 'A chat with B and C',
    description: 'B and C talk while our user sits at the prompt; then our user types, B answers, and our user types again.',
    programs: ['chat-client-buggy', 'chat-client-fixed'],
    events: [
      { kind: 'send', client: 'B', data: 'hi, it is B' },
      { kind: 'send', client: 'C', data: 'C here' },
      { kind: 'type', text: 'hello from A' },
      { kind: 'send', client: 'B', data: 'welcome A' },
      { kind: 'type', text: 'thanks' },
    ],
  },
];

export function scenarioById(id: string): LoopScenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new RangeError(`no scenario '${id}'`);
  return s;
}

export function scenariosFor(programId: ProgramId): readonly LoopScenario[] {
  return SCENARIOS.filter((s) => s.programs.includes(programId));
}
