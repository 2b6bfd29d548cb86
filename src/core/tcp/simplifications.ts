/** Where the model departs from RFC 9293 or from Linux, in words a learner can read next to the diagram. */
export type Simplification = { readonly id: string; readonly text: string };

export const SIMPLIFICATIONS: readonly Simplification[] = [
  {
    id: 'no-congestion-control',
    text: 'No congestion control: no slow start, congestion window, fast retransmit or fast recovery. A sender is limited only by the window its peer advertises.',
  },
  {
    id: 'immediate-acks',
    text: 'Every segment carrying data or a FIN is acknowledged at once: no delayed ACKs. Nagle is off (as with TCP_NODELAY) and the sender does no silly-window avoidance.',
  },
  {
    id: 'retransmit-oldest-only',
    text: 'The RTO follows RFC 6298 (1 s at first, doubling on each timeout, at most 120 s as on Linux, samples taken from timestamps), and a timeout resends only the oldest unacknowledged segment. SACK is negotiated (SACK_PERM) but no SACK blocks are sent or used.',
  },
  {
    id: 'syn-retries',
    text: "A connect()'s SYNs are retransmitted as on Linux 6.5 and later by default (net.ipv4.tcp_syn_linear_timeouts=4): after 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s, giving up at 131 s. The SYN retries setting switches to RFC 6298's doubling, also older Linux: 1, 3, 7, 15, 31 and 63 s, giving up at 127 s. Either way the budget is the 127 s that tcp_syn_retries=6 buys.",
  },
  {
    id: 'reassembly',
    text: 'Out-of-order bytes are held until the gap fills, but they are not counted against the receive window.',
  },
  {
    id: 'timestamps',
    text: 'TSval is a millisecond clock plus a per-connection offset; once both SYNs carry timestamps every non-RST segment does (RFC 7323). There is no PAWS check.',
  },
  {
    id: 'accept-queue-overflow',
    text: 'The accept queue holds backlog + 1 connections, as on Linux. A SYN that finds it full is dropped without an answer, so the client stays in SYN-SENT and retries. If it fills while a handshake is half done, the final ACK is dropped (tcp_abort_on_overflow=0): the server stays in SYN-RECEIVED and retransmits its SYN, ACK while the client already believes it is ESTABLISHED. There are no SYN cookies; half-open connections are capped at 128.',
  },
  {
    id: 'duplicate-syn',
    text: 'A retransmitted SYN reaching a connection in SYN-RECEIVED is answered with the SYN, ACK again, as Linux does; RFC 9293 would answer with a bare ACK.',
  },
  {
    id: 'time-wait',
    text: 'In TIME-WAIT a retransmitted FIN is acknowledged again and restarts the 2·MSL timer; a new SYN gets a challenge ACK rather than reopening the connection. MSL defaults to 30 s, so TIME-WAIT lasts 60 s as on Linux.',
  },
  {
    id: 'no-fin-wait-2-timeout',
    text: 'FIN-WAIT-2 waits for the peer indefinitely (Linux gives up after tcp_fin_timeout, 60 s, once the app has closed the socket).',
  },
  {
    id: 'resets-like-linux',
    text: 'close() with unread bytes sends RST instead of FIN, and data arriving after close() resets the connection (both Linux, RFC 1122 §4.2.2.13). An abort sends RST, ACK as Linux does; RFC 9293 shows a bare RST. After a reset, recv() still returns the bytes that had arrived, then reports ECONNRESET once, then returns EOF, as on Linux.',
  },
  {
    id: 'socket-buffers',
    text: 'The send buffer is unbounded, so send() never blocks. recv() in a script blocks until data, EOF or an error is ready. Data is counted in bytes, text being UTF-8. There is no data on the SYN (no TCP Fast Open) and no urgent data.',
  },
  {
    id: 'listen-first',
    text: "Every scenario's server has called listen() before the first step, so step 0 shows it in LISTEN.",
  },
  {
    id: 'simultaneous-open',
    text: 'In the simultaneous-open scenario the server’s listening socket, which knows its peer, turns active by sending, as RFC 9293 §3.10.2 allows (LISTEN → SYN-SENT). The sockets API has no such call: two programs would each bind() a fixed port and connect() to the other.',
  },
  {
    id: 'network',
    text: 'The network has one fixed one-way latency and no bandwidth limit: segments are never reordered, duplicated or corrupted, only lost. In learner mode a segment arrives the moment it is chosen.',
  },
  {
    id: 'window-scale',
    text: 'Both sides offer a window-scale shift of 7 (WS=128), what Linux picks when the largest receive buffer allowed (the maximum of net.ipv4.tcp_rmem or net.core.rmem_max, whichever is larger) is the common 6 MiB: ⌊log₂ max⌋ − 15. A machine with another maximum offers another shift. Windows after the handshake are shifted right by the negotiated scale and rounded down, so the advertised window can be slightly smaller than the free buffer. Zero-window probes take Linux’s form: an ACK carrying SND.UNA−1.',
  },
  {
    id: 'isn',
    text: 'Initial sequence numbers come from the seeded generator (or the ISN knob) rather than the clock-and-hash of RFC 6528; MSS is fixed at 1460 with no path MTU discovery.',
  },
];
