/**
 * Every cap and timeout the sandbox enforces, in one place. A learner's session is small:
 * a handful of connections and a few kilobytes typed by hand. The caps sit far above that
 * and far below what could hurt the machine.
 */

/** Largest WebSocket frame accepted from a browser; ws closes a bigger one with 1009. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Concurrent sessions per process; the next upgrade gets HTTP 503 and /readyz turns 503.
 * 500, from `npm run bench` (tests/bench/scale.bench.ts): one process held 1,000 sessions, each with
 * an echo connection, in about 15 KiB of heap and 33–46 KiB of RSS a session, with 6 % of a core spent
 * on their heartbeats and 22–35 % (across runs) with every learner echoing a line each second. Half that count leaves
 * the core free for what learners do in bursts (an outside client streaming its 4 MiB costs about
 * 10 CPU seconds a GiB) and keeps a session's worst case of 42 descriptors (16 terminal sockets and
 * their accepted ends, 8 outside connections, its listener and its WebSocket) within a 20,000
 * descriptor limit. One process per core: --workers auto, or one pod per core.
 */
export const MAX_SESSIONS = 500;

/* Processes (--workers): each is a whole playground with its own caps behind the one port. */
/** Workers at most, whatever --workers or the core count says. */
export const MAX_WORKERS = 64;

/** A worker that dies is replaced, but at most this many times within WORKER_RESTART_WINDOW_MS, so a crash loop ends. */
export const MAX_WORKER_RESTARTS = 5;
export const WORKER_RESTART_WINDOW_MS = 60 * 1000;

/** On SIGTERM, a worker that has not exited within this after its sessions were closed is killed. */
export const WORKER_DRAIN_MS = 10 * 1000;

/** Client sockets one terminal may have open at once. */
export const MAX_CLIENT_SOCKETS = 16;

/**
 * Connections from outside the browser (a learner's own nc or Python) the echo server holds at once.
 * They have their own budget, apart from the terminal's, so another local process can never use up
 * what the learner's own terminal needs: the terminal's connections are bounded by
 * MAX_CLIENT_SOCKETS on the client side and always accepted.
 */
export const MAX_OUTSIDE_CONNECTIONS = 8;

/** Bytes the echo server reads from outside clients in one session, all together. */
export const MAX_OUTSIDE_BYTES = 4 * 1024 * 1024;

/** An outside connection that sends nothing for this long is closed, so idle ones cannot hold slots. */
export const OUTSIDE_IDLE_MS = 60 * 1000;

/** Bytes the terminal may send in one session, all sockets together. */
export const MAX_SESSION_SEND_BYTES = 1024 * 1024;


/** Inbound messages per second (token bucket refill) and the burst allowed above it. */
export const MESSAGE_RATE_PER_SECOND = 40;
export const MESSAGE_BURST = 80;

/** Invalid or over-rate messages tolerated before the session is closed with 1008. */
export const MAX_VIOLATIONS = 20;

/** A session with no message from its browser for this long is closed (1000, "idle"). */
export const IDLE_TIMEOUT_MS = 15 * 60 * 1000;

/** No session lives longer than this (1000, "lifetime"). */
export const LIFETIME_MS = 2 * 60 * 60 * 1000;

/**
 * Every session is pinged this often; one that has not answered the previous ping by the next is
 * gone (a closed laptop, a dropped network) and is ended, freeing its slot. Browsers answer pings
 * by themselves, even in a hidden tab.
 */
export const HEARTBEAT_INTERVAL_MS = 5 * 1000;

/**
 * When the process is full, the session that has sent nothing for longest gives its slot to the
 * newcomer, if it has been quiet at least this long.
 */
export const RECLAIM_IDLE_MS = 2 * 60 * 1000;

/** After the close frame, a browser that has not closed its end within this is cut off. */
export const CLOSE_GRACE_MS = 1000;

/** Rows of `ss` in one reply at most; the rest are counted ("and N more"). */
export const MAX_SOCKET_ROWS = 64;

/** The kernel's TCP table is read at most this often, once for every session that asks. */
export const KERNEL_TABLE_TTL_MS = 250;

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

/**
 * Replies waiting for a browser that does not read them; beyond this the session is closed (1008).
 * Requests are rate-limited, so a reading browser never comes near it.
 */
export const MAX_PENDING_REPLIES = 256;

/** Time allowed for a connect() to the session's own server before it is reported as failed. */
export const CONNECT_TIMEOUT_MS = 5000;

/* HTTP: the site and the upgrade share one server. */
/** Connections the HTTP server holds at once, WebSockets included; more are closed on arrival. */
export const MAX_HTTP_CONNECTIONS = 1024;

/** Connections kept for page loads beyond the sessions' WebSockets, when --max-sessions raises the cap. */
export const HTTP_CONNECTIONS_BEYOND_SESSIONS = 512;

/** Requests one keep-alive connection may make; bounds how much a pipelining client queues. */
export const MAX_REQUESTS_PER_SOCKET = 100;

/** A request's headers must arrive within this, or the connection is closed (408). */
export const HEADERS_TIMEOUT_MS = 10 * 1000;

/** A whole request must arrive within this. */
export const REQUEST_TIMEOUT_MS = 30 * 1000;

/** How often the HTTP server looks for requests past those timeouts. */
export const HTTP_TIMEOUT_CHECK_MS = 1000;

/** Files larger than this are streamed from disk instead of kept in memory. */
export const MAX_CACHED_FILE_BYTES = 4 * 1024 * 1024;

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
  /** App code: the process was full and this quiet session gave its slot to a newcomer. */
  reclaimed: 4001,
  /** App code: the browser sent nothing, not even the visible page's presence, for IDLE_TIMEOUT_MS. */
  idle: 4002,
  /** App code: the session reached LIFETIME_MS. */
  lifetime: 4003,
} as const;

/**
 * The caps and timeouts a sandbox and its sessions enforce, as one value, so that a test can run a
 * real server with shorter timeouts than a learner would ever want.
 */
export const LIMITS = {
  maxSessions: MAX_SESSIONS,
  messageRatePerSecond: MESSAGE_RATE_PER_SECOND,
  messageBurst: MESSAGE_BURST,
  maxViolations: MAX_VIOLATIONS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  lifetimeMs: LIFETIME_MS,
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  reclaimIdleMs: RECLAIM_IDLE_MS,
  closeGraceMs: CLOSE_GRACE_MS,
  maxOutsideConnections: MAX_OUTSIDE_CONNECTIONS,
  maxOutsideBytes: MAX_OUTSIDE_BYTES,
  outsideIdleMs: OUTSIDE_IDLE_MS,
  maxSocketRows: MAX_SOCKET_ROWS,
  kernelTableTtlMs: KERNEL_TABLE_TTL_MS,
  maxHttpConnections: MAX_HTTP_CONNECTIONS,
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
} as const;
export type Limits = { -readonly [K in keyof typeof LIMITS]: number };

/** The limits for a process that holds `maxSessions` (--max-sessions): its WebSockets never crowd out page loads. */
export function limitsFor(maxSessions: number): Limits {
  return { ...LIMITS, maxSessions, maxHttpConnections: Math.max(MAX_HTTP_CONNECTIONS, maxSessions + HTTP_CONNECTIONS_BEYOND_SESSIONS) };
}
