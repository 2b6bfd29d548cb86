/**
 * Every cap and timeout the sandbox enforces, in one place. A learner's session is small:
 * a handful of connections and a few kilobytes typed by hand. The caps sit far above that
 * and far below what could hurt the machine.
 */

/** Largest WebSocket frame accepted from a browser; ws closes a bigger one with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Concurrent sessions per process; the next upgrade gets HTTP 503. */
export const MAX_SESSIONS = 64;

/** Client sockets one terminal may have open at once. */
export const MAX_CLIENT_SOCKETS = 16;

/** Connections the session's echo server accepts at once, from the terminal and outside. */
export const MAX_ACCEPTED_SOCKETS = 32;

/** Bytes the terminal may send in one session, all sockets together. */
export const MAX_SESSION_SEND_BYTES = 1024 * 1024;

/** Bytes the session's servers will read in all, so an outside client cannot stream forever. */
export const MAX_SESSION_SERVER_BYTES = 16 * 1024 * 1024;

/** Inbound messages per second (token bucket refill) and the burst allowed above it. */
export const MESSAGE_RATE_PER_SECOND = 40;
export const MESSAGE_BURST = 80;

/** Invalid or over-rate messages tolerated before the session is closed with 1008. */
export const MAX_VIOLATIONS = 20;

/** A session with no message from its browser for this long is closed (1000, "idle"). */
export const IDLE_TIMEOUT_MS = 15 * 60 * 1000;

/** No session lives longer than this (1000, "lifetime"). */
export const LIFETIME_MS = 2 * 60 * 60 * 1000;

/** How long events are gathered before one `events` message goes out. */
export const EVENT_FLUSH_MS = 16;

/** Events in one `events` message at most; more wait for the next flush. */
export const MAX_EVENTS_PER_MESSAGE = 256;

/** Above this many bytes queued toward the browser, every socket of the session stops reading. */
export const WS_HIGH_WATER_BYTES = 512 * 1024;

/** Reading resumes once the queue toward the browser drains below this. */
export const WS_LOW_WATER_BYTES = 64 * 1024;

/** Events held for a browser that is not reading; beyond this the session is closed (1008). */
export const MAX_PENDING_EVENTS = 20_000;

/** How often a paused session checks whether the browser caught up. */
export const DRAIN_POLL_MS = 25;

/** Time allowed for a connect() to the session's own server before it is reported as failed. */
export const CONNECT_TIMEOUT_MS = 5000;

/* Packet capture (optional, --capture): its own child process, so its own caps. */
/** Bytes tcpdump keeps of each packet: every link, IP and TCP header fits, plus a preview's worth of payload. */
export const CAPTURE_SNAPLEN = 256;

/**
 * A pcap record longer than this means the stream is corrupt or not from our tcpdump (its records
 * are at most CAPTURE_SNAPLEN bytes); the capture is dropped rather than buffered.
 */
export const MAX_PCAP_RECORD_BYTES = 256 * 1024;

/** How long a stopped tcpdump has to exit after SIGTERM before it is sent SIGKILL. */
export const CAPTURE_KILL_GRACE_MS = 500;

/** How long the permission probe lets tcpdump run on loopback before it is stopped. */
export const CAPTURE_PROBE_MS = 300;

/** How long the probe waits for tcpdump to start at all before calling capture unavailable. */
export const CAPTURE_PROBE_TIMEOUT_MS = 5000;

/** Characters of tcpdump's stderr kept to explain why it stopped. */
export const STDERR_TAIL_CHARS = 2048;

/** WebSocket close codes the sandbox uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
} as const;
