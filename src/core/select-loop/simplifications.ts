/** Where the simulation departs from Python and Linux, in words a learner can read beside it. */
export type Simplification = { readonly id: string; readonly text: string };

export const SIMPLIFICATIONS: readonly Simplification[] = [
  {
    id: 'one-line-per-step',
    text: 'One step runs one source line of one thread. Loop headers and `with` lines take a step each time round (the `with` line again when its block is left, where Python 3.10+ reports the exit); `else:` and `try:` take none; a statement spread over several lines is one step on its first line. Python’s own tracer differs in small ways, e.g. it may skip `while True:`.',
  },
  {
    id: 'scheduling',
    text: 'Threads take turns one line at a time, round-robin, in a fixed order. Real threads switch at arbitrary points (CPython’s GIL hands over every 5 ms or on blocking calls), so real interleavings vary from run to run.',
  },
  {
    id: 'network-waits-for-the-program',
    text: 'A network event happens only when every thread is blocked, or when a loop that never blocks has made one idle turn. The program always reacts before the next event, so a real race (data arriving between two lines) never shows.',
  },
  {
    id: 'no-packets',
    text: 'There are no segments, latency or loss: a connect, a send or a FIN from a client takes effect in one step, and the kernel completes handshakes by itself. The TCP model on the handshake pages shows what happens underneath.',
  },
  {
    id: 'send-buffer',
    text: 'A connection’s send buffer stands for everything between send() and the client’s recv(): the server’s send buffer, the network and the client’s receive buffer. A client that reads promptly empties it at once; a slow reader only when it drains. Its size is a plain byte count (Linux doubles SO_SNDBUF and counts overhead), and it is writable when free space is at least half of what is queued, as Linux’s sk_stream_is_writeable says.',
  },
  {
    id: 'receive-buffer',
    text: 'Receive buffers never fill, so a client’s send never blocks and there is no zero window.',
  },
  {
    id: 'accept-queue',
    text: 'listen() takes Python’s default backlog of 128 and the accept queue never fills here, so SYNs are never dropped. A connect before listen() is refused with RST.',
  },
  {
    id: 'half-close',
    text: 'A client’s close is a half-close (like shutdown(SHUT_WR)): it still reads what the server sends back, so the RST that Linux sends when data reaches a fully closed socket never happens. When the chat server closes on a chat client, later sends still succeed instead of failing with BrokenPipeError.',
  },
  {
    id: 'graceful-close',
    text: 'close() sends a FIN after the last queued byte, and the socket leaves the table once its send buffer has drained; TIME-WAIT is not shown. As on Linux, closing with unread bytes resets the connection instead, and so does closing a listener for the connections in its queue; the programs here only close after EOF, so that happens only when a crash ends the process.',
  },
  {
    id: 'select-order',
    text: 'select() lists ready sockets in the order they were registered; epoll reports them in the order they became ready. Readiness is level-triggered, as DefaultSelector’s is.',
  },
  {
    id: 'addresses',
    text: 'Everything runs on 127.0.0.1: the servers on port 65432, clients from ports 50001 upwards in the order they connect (Linux picks ephemeral ports from 32768–60999). fds are handed out lowest first, as POSIX requires.',
  },
  {
    id: 'reprs',
    text: 'Socket reprs leave out family, type and proto (always AF_INET, SOCK_STREAM, 0 here); lock reprs leave out the address.',
  },
  {
    id: 'terminal',
    text: 'input() shows its prompt with the typed line once the line is read; a message printed while the prompt is waiting appears on a line of its own rather than after the prompt.',
  },
  {
    id: 'sandbox-previews',
    text: 'Driven by the live sandbox, a write longer than its preview is filled up with "." for the bytes the preview left out, so byte counts stay exact but those bytes are not the real ones.',
  },
];
