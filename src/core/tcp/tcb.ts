import type { Micros } from '../clock.ts';
import { seconds } from '../clock.ts';
import type { Segment, SegmentDraft, Side } from './segment.ts';
import type { TcpState } from './state.ts';
import { seqGt } from './seq.ts';

export type TimerName = 'retransmit' | 'persist' | 'time-wait';

export type SocketError =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'ENOTCONN'
  | 'EISCONN'
  | 'EALREADY'
  | 'EPIPE'
  | 'EAGAIN'
  | 'EINVAL'
  | 'EBADF';

/**
 * How the wait between SYN retransmissions grows: Linux since 6.5 keeps the first
 * tcp_syn_linear_timeouts waits at the initial RTO, then doubles; RFC 6298 (and older Linux) doubles from the start.
 */
export type SynBackoff = 'linear-then-exponential' | 'exponential';

export type EndpointConfig = {
  /** MSS this endpoint advertises on its SYN. */
  readonly mss: number;
  /** Receive buffer; RCV.WND is what is left of it. */
  readonly rcvBufSize: number;
  /** Shift count offered on the SYN (RFC 7323); undefined offers no window scaling. */
  readonly windowScale: number | undefined;
  readonly sackPermitted: boolean;
  readonly timestamps: boolean;
  /** Added to the millisecond clock to form TSval, as kernels randomise it per connection. */
  readonly tsOffset: number;
  readonly msl: Micros;
  readonly initialRto: Micros;
  readonly minRto: Micros;
  readonly maxRto: Micros;
  /** Linux net.ipv4.tcp_syn_retries: it sets connect()'s time budget, as if every wait doubled. */
  readonly synRetries: number;
  readonly synBackoff: SynBackoff;
  /** Linux net.ipv4.tcp_syn_linear_timeouts (6.5 and later). */
  readonly synLinearTimeouts: number;
  /** Linux net.ipv4.tcp_synack_retries. */
  readonly synAckRetries: number;
  /** Linux net.ipv4.tcp_retries2. */
  readonly dataRetries: number;
};

export const DEFAULT_CONFIG: EndpointConfig = {
  mss: 1460,
  rcvBufSize: 65535,
  windowScale: 7,
  sackPermitted: true,
  timestamps: true,
  tsOffset: 0,
  msl: seconds(30),
  initialRto: seconds(1),
  minRto: seconds(1),
  maxRto: seconds(120),
  synRetries: 6,
  synBackoff: 'linear-then-exponential',
  synLinearTimeouts: 4,
  synAckRetries: 5,
  dataRetries: 15,
};

/** Bytes that arrived ahead of RCV.NXT, held until the hole before them is filled. */
export type OutOfOrder = { readonly seq: number; readonly data: string; readonly fin: boolean };

export type Timers = {
  readonly retransmit?: Micros;
  readonly persist?: Micros;
  readonly 'time-wait'?: Micros;
};

/** The transmission control block of RFC 9293 §3.3.1, plus the socket-facing buffers. */
export type Endpoint = {
  readonly side: Side;
  readonly localPort: number;
  readonly remotePort: number;
  readonly config: EndpointConfig;
  readonly state: TcpState;
  /** Reached SYN-RECEIVED from LISTEN, so a RST there returns it to LISTEN. */
  readonly passive: boolean;
  readonly iss: number;
  readonly irs: number;
  readonly sndUna: number;
  readonly sndNxt: number;
  readonly sndWnd: number;
  readonly sndWl1: number;
  readonly sndWl2: number;
  readonly rcvNxt: number;
  readonly rcvWnd: number;
  /** The window carried by the last segment sent, to decide when a window update is worth sending. */
  readonly rcvWndAdvertised: number;
  /** Effective send MSS: the peer's MSS option, or 536 without one (RFC 9293 §3.7.1). */
  readonly sndMss: number;
  /** Applied to windows the peer sends (its shift); 0 unless both SYNs carried WS. */
  readonly sndShift: number;
  /** Applied to windows this endpoint sends. */
  readonly rcvShift: number;
  /** Both SYNs carried WS, so windows after the handshake are scaled. */
  readonly wsOk: boolean;
  readonly tsOk: boolean;
  readonly tsRecent: number;
  readonly sackOk: boolean;
  /** Bytes written by the app and not yet acknowledged, starting at the first unacknowledged data byte. */
  readonly sndBuf: string;
  /** The app shut down its write side: a FIN follows the last byte of sndBuf. */
  readonly finQueued: boolean;
  /** Sequence number the FIN took, once sent. */
  readonly finSeq: number | undefined;
  /** In-order bytes delivered and not yet read by the app. */
  readonly rcvBuf: string;
  readonly outOfOrder: readonly OutOfOrder[];
  /** The peer's FIN has been consumed: once rcvBuf is read, recv returns EOF. */
  readonly finReceived: boolean;
  /** The app called close(): nothing will read rcvBuf any more. */
  readonly appClosed: boolean;
  readonly rto: Micros;
  readonly srtt: Micros | undefined;
  readonly rttvar: Micros;
  /** Consecutive expiries of the retransmission timer for the oldest outstanding segment. */
  readonly retries: number;
  readonly persistBackoff: number;
  readonly timers: Timers;
  readonly error: SocketError | undefined;
};

export type AppCall =
  | { readonly op: 'listen' }
  | { readonly op: 'connect' }
  | { readonly op: 'send'; readonly data: string }
  | { readonly op: 'recv'; readonly max: number }
  | { readonly op: 'shutdown' }
  | { readonly op: 'close' }
  | { readonly op: 'abort' };

export type EndpointInput =
  | { readonly kind: 'app'; readonly call: AppCall }
  | { readonly kind: 'segment'; readonly segment: Segment | SegmentDraft }
  | { readonly kind: 'timer'; readonly timer: TimerName };

export type CallResult =
  | { readonly ok: true; readonly data?: string; readonly bytes?: number; readonly eof?: boolean }
  | { readonly ok: false; readonly error: SocketError };

export type AppNotification = 'connected' | 'readable' | 'eof' | 'closed';

export type EndpointEffect =
  | { readonly kind: 'send'; readonly segment: SegmentDraft; readonly retransmission: boolean }
  | { readonly kind: 'set-timer'; readonly timer: TimerName; readonly at: Micros }
  | { readonly kind: 'clear-timer'; readonly timer: TimerName }
  | { readonly kind: 'notify'; readonly event: AppNotification }
  | { readonly kind: 'error'; readonly error: SocketError }
  | { readonly kind: 'result'; readonly result: CallResult };

/** What one step accumulates; local to endpointStep, never escapes it. */
export type StepContext = {
  readonly now: Micros;
  readonly effects: EndpointEffect[];
  readonly why: string[];
  /** States entered and left again within this step, so the transition can name every arrow walked. */
  readonly passed: TcpState[];
};

export type EndpointInit = {
  readonly side: Side;
  readonly localPort: number;
  readonly remotePort: number;
  readonly iss: number;
  readonly config?: Partial<EndpointConfig>;
};

export function createEndpoint(init: EndpointInit): Endpoint {
  const config = { ...DEFAULT_CONFIG, ...init.config };
  return {
    side: init.side,
    localPort: init.localPort,
    remotePort: init.remotePort,
    config,
    state: 'CLOSED',
    passive: false,
    iss: init.iss >>> 0,
    irs: 0,
    sndUna: init.iss >>> 0,
    sndNxt: init.iss >>> 0,
    sndWnd: 0,
    sndWl1: 0,
    sndWl2: 0,
    rcvNxt: 0,
    rcvWnd: config.rcvBufSize,
    rcvWndAdvertised: 0,
    sndMss: 536,
    sndShift: 0,
    rcvShift: 0,
    wsOk: false,
    tsOk: false,
    tsRecent: 0,
    sackOk: false,
    sndBuf: '',
    finQueued: false,
    finSeq: undefined,
    rcvBuf: '',
    outOfOrder: [],
    finReceived: false,
    appClosed: false,
    rto: config.initialRto,
    srtt: undefined,
    rttvar: 0,
    retries: 0,
    persistBackoff: 0,
    timers: {},
    error: undefined,
  };
}

export function synAcked(e: Endpoint): boolean {
  return seqGt(e.sndUna, e.iss);
}

export function ourFinAcked(e: Endpoint): boolean {
  return e.finSeq !== undefined && seqGt(e.sndUna, e.finSeq);
}

/** The app could read now without blocking: data, EOF, or an error to report. */
export function readable(e: Endpoint): boolean {
  return e.rcvBuf.length > 0 || e.finReceived || e.error !== undefined || e.state === 'CLOSED';
}
