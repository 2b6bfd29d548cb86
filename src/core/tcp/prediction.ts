import type { Segment } from './segment.ts';
import { SYNCHRONIZED_STATES } from './state.ts';
import type { World } from './simulation.ts';
import { endpointOf, hostName, pendingEvents, segmentLabel, step } from './simulation.ts';

export type SegmentKind = 'SYN' | 'SYN-ACK' | 'ACK' | 'data' | 'FIN' | 'RST' | 'nothing';

export const SEGMENT_KINDS: readonly SegmentKind[] = ['SYN', 'SYN-ACK', 'ACK', 'data', 'FIN', 'RST', 'nothing'];

export const KIND_LABELS: Readonly<Record<SegmentKind, string>> = {
  SYN: 'SYN',
  'SYN-ACK': 'SYN, ACK',
  ACK: 'a bare ACK',
  data: 'data',
  FIN: 'FIN',
  RST: 'RST',
  nothing: 'nothing (wait for a timer or the app)',
};

export function classify(seg: Segment): SegmentKind {
  if (seg.flags.RST) return 'RST';
  if (seg.flags.SYN) return seg.flags.ACK ? 'SYN-ACK' : 'SYN';
  if (seg.flags.FIN) return 'FIN';
  return seg.len > 0 ? 'data' : 'ACK';
}

export type Prediction = {
  readonly question: string;
  readonly choices: readonly SegmentKind[];
  readonly answer: SegmentKind;
  readonly explanation: string;
  /** The world after the step the question is about. */
  readonly next: World;
};

const HANDSHAKE_CHOICES: readonly SegmentKind[] = ['SYN', 'SYN-ACK', 'ACK', 'RST', 'nothing'];
const TRANSFER_CHOICES: readonly SegmentKind[] = ['ACK', 'data', 'FIN', 'RST', 'nothing'];

/** "What goes on the wire next?": the choices that make sense at this point, and the model's answer. */
export function predictNext(w: World): Prediction | undefined {
  const pending = pendingEvents(w)[0];
  const next = step(w);
  if (next === w || pending === undefined) return undefined;
  const ev = next.event;
  const sent = 'sent' in ev ? ev.sent : [];
  const first = sent[0];
  const answer: SegmentKind = first === undefined ? 'nothing' : classify(first);
  const question =
    pending.kind === 'arrival'
      ? `${segmentLabel(w, pending.item.segment)} is about to reach the ${pending.item.segment.from === 'client' ? 'server' : 'client'}. What is sent next?`
      : pending.kind === 'timer'
        ? `The ${pending.timer} timer of the ${hostName(w, pending.host)} is about to fire. What is sent?`
        : `The ${hostName(w, pending.host)} makes its next call. What is sent?`;
  const synchronized = w.clients.every((c) => SYNCHRONIZED_STATES.includes(c.endpoint.state));
  const base = synchronized ? TRANSFER_CHOICES : HANDSHAKE_CHOICES;
  const choices = SEGMENT_KINDS.filter((k) => base.includes(k) || k === answer);
  const after = first === undefined ? nextHint(next) : `So the answer is ${KIND_LABELS[answer]}: ${segmentLabel(next, first)}.`;
  return { question, choices, answer, explanation: `${ev.explanation} ${after}`, next };
}

function nextHint(w: World): string {
  const p = pendingEvents(w)[0];
  if (p === undefined) return 'Nothing is sent, and nothing else is scheduled.';
  const when = `at t=${(p.at / 1000).toFixed(1)} ms`;
  if (p.kind === 'timer') return `Nothing is sent now; the next event is the ${p.timer} timer of the ${hostName(w, p.host)} ${when}.`;
  if (p.kind === 'arrival') return `Nothing is sent now; the next event is a segment arriving ${when}.`;
  const e = endpointOf(w, p.host);
  return `Nothing is sent now; next the ${hostName(w, p.host)}${e ? ` (${e.state})` : ''} calls into its socket ${when}.`;
}
