import type { LoopInput } from './inputs.ts';
import type { ProgramId } from './world.ts';
import { CHECK_SCENARIOS } from './check-scenarios.ts';

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

const SERVERS: readonly ProgramId[] = [
  'blocking-echo',
  'nonblocking-busy',
  'selectors-server',
  'selectors-server-modify',
  'chat-server',
  'chat-server-framed',
  'asyncio-echo-server',
  'asyncio-chat-server',
  'asyncio-echo-blocking',
  'epoll-echo',
  'uring-echo',
];

export const SCENARIOS: readonly LoopScenario[] = [
  {
    id: 'one-client',
    title: 'One client',
    description: 'A connects, sends one line and closes.',
    programs: [...SERVERS, 'framed-server'],
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
    programs: ['selectors-server', 'selectors-server-modify', 'blocking-echo', 'epoll-echo', 'uring-echo'],
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
    id: 'slow-reader-talks',
    title: 'A slow reader talks on',
    description:
      'Send buffers hold 16 bytes. A sends a 34-byte line and, before reading any of its echo, another line: the server reads the second line while the send buffer is still full, so there is no room to echo it yet.',
    programs: ['epoll-echo', 'uring-echo'],
    sendBuffer: 16,
    events: [
      { kind: 'connect', client: 'A', slowReader: true },
      { kind: 'send', client: 'A', data: 'this line is longer than 16 bytes\n' },
      { kind: 'send', client: 'A', data: 'more\n' },
      { kind: 'drain', client: 'A', bytes: 16 },
      { kind: 'drain', client: 'A', bytes: 16 },
      { kind: 'drain', client: 'A', bytes: 16 },
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
    id: 'coalesced',
    title: 'Two lines and a half, in one piece',
    description:
      'A and B connect. A sends "one\\n", "two\\n" and the start of a third line so close together that all 11 bytes sit in the server\'s receive buffer before its recv() runs, so one recv() returns them all; from the server\'s side that is the same as one send() of all three. Then A closes without finishing the third line.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B' },
      { kind: 'send', client: 'A', data: 'one\ntwo\nthr' },
      { kind: 'close', client: 'A' },
      { kind: 'close', client: 'B' },
    ],
  },
  {
    id: 'interleaved',
    title: 'A line split around another',
    description:
      'A, B and C connect. A\'s line "hello from A\\n" reaches the server in two segments, "hello fr" and "om A\\n", and B\'s line "hi from B\\n" arrives between them. Then all three close.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B' },
      { kind: 'connect', client: 'C' },
      { kind: 'send', client: 'A', data: 'hello fr' },
      { kind: 'send', client: 'B', data: 'hi from B\n' },
      { kind: 'send', client: 'A', data: 'om A\n' },
      { kind: 'close', client: 'A' },
      { kind: 'close', client: 'B' },
      { kind: 'close', client: 'C' },
    ],
  },
  {
    id: 'framed-messages',
    title: 'Two messages, cut anywhere',
    description:
      'A sends two messages, each a 4-byte big-endian length and then the bytes: "hello" (5 bytes) and "café" (5 bytes in UTF-8). The segments cut them anywhere: in the middle of the first header, in the middle of "hello", across the boundary between the messages, and between the two bytes of "é". Then A closes.',
    programs: ['framed-server'],
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'send', client: 'A', data: '\x00\x00' },
      { kind: 'send', client: 'A', data: '\x00\x05hel' },
      { kind: 'send', client: 'A', data: 'lo\x00\x00\x00\x05caf\xc3' },
      { kind: 'send', client: 'A', data: '\xa9' },
      { kind: 'close', client: 'A' },
    ],
  },
  {
    id: 'client-resets',
    title: 'A client resets',
    description: 'A and B connect and talk; A then aborts its connection with RST instead of closing it, and B carries on.',
    programs: SERVERS,
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B' },
      { kind: 'send', client: 'A', data: 'hi from A\n' },
      { kind: 'reset', client: 'A' },
      { kind: 'send', client: 'B', data: 'still here\n' },
      { kind: 'close', client: 'B' },
    ],
  },
  {
    id: 'live',
    title: 'Your own traffic',
    description: 'Nothing is scheduled: connect, send and close from the terminal, or inject events, and watch the server react.',
    programs: [...SERVERS, 'framed-server'],
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
  {
    id: 'echo-then-silence',
    title: 'An echo, then silence',
    description: 'The client connects to an echo server, which sends back what it receives and never sends anything else.',
    programs: ['timeout-client'],
    events: [],
  },
  {
    id: 'ipv4-and-ipv6',
    title: 'One IPv4 client, one IPv6 client',
    description: 'A connects from 127.0.0.1 over IPv4, then B from ::1 over IPv6, to the same port.',
    programs: ['dualstack-server'],
    events: [
      { kind: 'connect', client: 'A' },
      { kind: 'connect', client: 'B', ipv6: true },
    ],
  },
  ...CHECK_SCENARIOS,
];

export function scenarioById(id: string): LoopScenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new RangeError(`no scenario '${id}'`);
  return s;
}

export function scenariosFor(programId: ProgramId): readonly LoopScenario[] {
  return SCENARIOS.filter((s) => s.programs.includes(programId));
}
