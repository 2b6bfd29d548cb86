/**
 * Caps and timeouts of packet capture. They sit beside the capture code rather than in
 * server/limits.ts because capture is optional and owns its own child process.
 */

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
