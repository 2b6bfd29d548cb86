export const TCP_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
] as const;

export type TcpState = (typeof TCP_STATES)[number];

/** States in which both sequence spaces are known (RFC 9293 §3.10.7.4). */
export const SYNCHRONIZED_STATES: readonly TcpState[] = [
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
];

/** What made an endpoint move: an app call, an arriving segment, or a timer. */
export type Cause = 'app' | 'segment' | 'timer';

export type StateEdge = {
  readonly from: TcpState;
  readonly to: TcpState;
  readonly cause: Cause;
  /** "event / action", the figure's label, e.g. "rcv SYN / snd SYN,ACK". */
  readonly label: string;
  /**
   * true for the arrows drawn in RFC 9293 Figure 5; false for the transitions its
   * notes describe but leave out of the drawing (so a UI can draw them dashed).
   */
  readonly inFigure: boolean;
};

const edge = (from: TcpState, to: TcpState, cause: Cause, label: string, inFigure = true): StateEdge => ({
  from,
  to,
  cause,
  label,
  inFigure,
});

const RESETTABLE: readonly TcpState[] = ['SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT'];
const ABORT_WITH_RST: readonly TcpState[] = ['SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT'];
const ABORT_QUIETLY: readonly TcpState[] = ['CLOSING', 'LAST-ACK', 'TIME-WAIT'];
const RETRANSMITTING: readonly TcpState[] = ['SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK'];

/** RFC 9293 Figure 5 (each from/to pair drawn once), then the transitions its notes leave undrawn. */
export const STATE_EDGES: readonly StateEdge[] = [
  edge('CLOSED', 'LISTEN', 'app', 'passive OPEN / create TCB'),
  edge('CLOSED', 'SYN-SENT', 'app', 'active OPEN / create TCB, snd SYN'),
  edge('LISTEN', 'CLOSED', 'app', 'CLOSE / delete TCB'),
  edge('LISTEN', 'SYN-RECEIVED', 'segment', 'rcv SYN / snd SYN,ACK'),
  edge('LISTEN', 'SYN-SENT', 'app', 'SEND / snd SYN'),
  edge('SYN-SENT', 'SYN-RECEIVED', 'segment', 'rcv SYN / snd SYN,ACK'),
  edge('SYN-SENT', 'ESTABLISHED', 'segment', 'rcv SYN,ACK / snd ACK'),
  edge('SYN-SENT', 'CLOSED', 'app', 'CLOSE / delete TCB'),
  edge('SYN-RECEIVED', 'LISTEN', 'segment', 'rcv RST (after a passive OPEN)'),
  edge('SYN-RECEIVED', 'ESTABLISHED', 'segment', 'rcv ACK of SYN / x'),
  edge('SYN-RECEIVED', 'FIN-WAIT-1', 'app', 'CLOSE / snd FIN'),
  edge('ESTABLISHED', 'FIN-WAIT-1', 'app', 'CLOSE / snd FIN'),
  edge('ESTABLISHED', 'CLOSE-WAIT', 'segment', 'rcv FIN / snd ACK'),
  edge('FIN-WAIT-1', 'FIN-WAIT-2', 'segment', 'rcv ACK of FIN / x'),
  edge('FIN-WAIT-1', 'CLOSING', 'segment', 'rcv FIN / snd ACK'),
  edge('FIN-WAIT-2', 'TIME-WAIT', 'segment', 'rcv FIN / snd ACK'),
  edge('CLOSING', 'TIME-WAIT', 'segment', 'rcv ACK of FIN / x'),
  edge('CLOSE-WAIT', 'LAST-ACK', 'app', 'CLOSE / snd FIN'),
  edge('LAST-ACK', 'CLOSED', 'segment', 'rcv ACK of FIN / x'),
  edge('TIME-WAIT', 'CLOSED', 'timer', 'Timeout=2MSL / delete TCB'),
  ...RESETTABLE.map((from) => edge(from, 'CLOSED', 'segment', 'rcv RST (note 3), or data after close / snd RST (RFC 1122 §4.2.2.13)', false)),
  ...ABORT_WITH_RST.map((from) => edge(from, 'CLOSED', 'app', 'ABORT / snd RST (§3.10.5)', false)),
  ...ABORT_QUIETLY.map((from) => edge(from, 'CLOSED', 'app', 'ABORT / delete TCB (§3.10.5)', false)),
  ...RETRANSMITTING.map((from) => edge(from, 'CLOSED', 'timer', 'retransmissions exhausted / delete TCB', false)),
];

export const FIGURE_EDGES: readonly StateEdge[] = STATE_EDGES.filter((e) => e.inFigure);

/** The edge a transition took: the one with the same cause, else the drawn arrow between the two states. */
export function findEdge(from: TcpState, to: TcpState, cause?: Cause): StateEdge | undefined {
  const between = STATE_EDGES.filter((e) => e.from === from && e.to === to);
  return between.find((e) => e.cause === cause) ?? between[0];
}
