/** Where the simulation departs from Python and Linux, in words a learner can read beside it. */
export type Simplification = { readonly id: string; readonly text: string };

export const SIMPLIFICATIONS: readonly Simplification[] = [
  {
    id: 'one-line-per-step',
    text: 'The program runs from its .py text in an interpreter for a subset of Python. One step runs one action of one thread: a simple statement; an if/elif test; a while test or a for loop taking its next item (each time round); an except clause testing the exception; leaving a with block (a step on the with line, where Python 3.10+ reports __exit__, unless an exception is passing through, whose __exit__ runs in the same step). try:, else: and finally: take no step. A call to a function of the program ends its line’s step; the function’s lines follow, and its return finishes the caller’s line in the same step. Everything else on a line, including built-in calls and comprehensions, happens at once. A statement spread over several lines is one step on its first line. Python’s own tracer differs in small ways.',
  },
  {
    id: 'scheduling',
    text: 'Threads take turns one step at a time, round-robin, in the order they were started. A thread whose next line would block (accept, recv, a full send buffer, select with nothing ready, input, a held lock, join, sleep) is skipped until it can go on; the line is then run again from its start, without repeating calls it already finished. Real threads switch at arbitrary points (CPython’s GIL hands over every 5 ms or on blocking calls), so real interleavings vary from run to run.',
  },
  {
    id: 'interpreter-subset',
    text: 'Supported: import and from-import of socket, selectors, types, threading, sys, time, struct, errno, asyncio and the teaching module uring; assignment (tuples, attributes, subscripts, augmented); if/elif/else, while, for, break, continue, pass, return; def with defaults and keyword arguments; async def, await and async with; simple classes; try/except/else/finally and raise; with … as; f-strings; comprehensions; slices; int, float, bool, None, str, bytes, list, tuple, dict and set with their common methods. Anything else stops the program before it runs with the line, column and what is supported. Integers are exact up to 2**53; struct formats need a byte-order prefix such as "!".',
  },
  {
    id: 'asyncio-steps',
    text: 'asyncio runs as CPython 3.11’s selector event loop does on Linux, and its own work takes steps too. Each turn of the loop is one step for its select() call (timeout 0 when callbacks are already waiting, otherwise until the earliest timer), which puts the ready sockets’ callbacks and the due timers at the end of the ready queue; then each callback that was in the queue at that moment is one step, oldest first. A task’s step runs its lines, one line per step, until it awaits something that is not ready: the await ends that step, and the task goes on from the same line when the loop next runs it. An await that does not have to wait (a line already in the reader’s buffer, drain() below the high-water mark, a coroutine of the program that returns without waiting) goes straight on, as it does in CPython. Callbacks the steps add wait for the next turn.',
  },
  {
    id: 'asyncio-internals',
    text: 'The loop’s own callbacks are those CPython runs for these programs: _accept_connection (accept() until the queue is empty, each connection made non-blocking), a task for _accept_connection2 (TCP_NODELAY, then connection_made, _add_reader and the transport’s waiter), _read_ready (one recv() of up to 256 KiB), _write_ready, _call_connection_lost, gather’s done callback and, as in CPython 3.11.7 and later, the handler task’s done callback. They count in CPython’s Task-N numbering, so the first handler is Task-4. start_server() needs an async def as its callback and a numeric host; a reader’s buffer has no limit (CPython pauses reading above 128 KiB and raises LimitOverrunError for a line over 64 KiB). asyncio.run() cancels the tasks left when the main task ends and closes the loop, but skips CPython’s shutdown of async generators and the default executor. A task exception nobody retrieved is reported when asyncio.run() ends; CPython reports it when the task is garbage-collected, often sooner. Tracebacks show the program’s own frames, not asyncio’s.',
  },
  {
    id: 'uring',
    text: 'uring is not a Python module: it is the course’s teaching module for io_uring, modelled on liburing’s calls (Ring, prep_accept, prep_recv, prep_send, prep_close, submit, submit_and_wait, wait_cqe, peek_cqe, cqe_seen) and tested against its own rules, not CPython. The kernel tries each request when it is submitted and finishes the others, in the order they were submitted, in the step of the network event that lets them. With sqpoll=True the kernel’s polling thread takes SQEs the moment submit() publishes them and never goes idle. user_data may be any value (liburing’s is a 64-bit number), and a recv’s bytes come back in cqe.buf rather than in a buffer the program passed in. The system-call tally, shown for the programs that count, names calls as strace does on x86-64 Linux and counts only the calls the model makes: not the mmap() calls that map a ring, print()’s write(), or CPython’s own. A wake-up is a thread that slept in the kernel running again.',
  },
  {
    id: 'time',
    text: 'time.sleep(), asyncio’s timers (asyncio.sleep()) and socket timeouts wait in simulated time: when every thread is waiting and the scenario has no input left, the clock jumps to the earliest wake-up (or timeout). Nothing else takes time. A time.sleep() inside a coroutine blocks the thread that runs the event loop, so no other task runs and no socket is read until it returns, as in CPython.',
  },
  {
    id: 'network-waits-for-the-program',
    text: 'A network event happens only when every thread is blocked, or when a loop that never blocks has made one idle turn (a turn of a while loop that asked the network for something, a BlockingIOError or a select(), and moved nothing). The program always reacts before the next event, so a real race (data arriving between two lines) never shows; an input injected by hand can still land between two lines. A loop that only computes never yields to the network and runs until it ends or the step cap stops the run.',
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
    text: 'select() lists ready sockets in the order they were registered; epoll reports them in the order they became ready. Readiness is level-triggered, as DefaultSelector’s is. A reset connection is readable and writable, as epoll reports EPOLLERR|EPOLLHUP.',
  },
  {
    id: 'addresses',
    text: 'Everything runs on loopback, 127.0.0.1 (or ::1 for a client that connects over IPv6, and ::ffff:127.0.0.1 for an IPv4 client of a dual-stack IPv6 socket): a server on the port its program binds (65432 in the course’s programs, outside Linux’s ephemeral range 32768–60999), clients from ports 50001 upwards in the order they connect (Linux picks them at random from that range). create_connection() takes numeric addresses only (no name lookup), and IPv6 addresses always have flowinfo and scope_id 0. fds are handed out lowest first, as POSIX requires; DefaultSelector’s epoll instance takes one, as in CPython, so the selectors programs’ sockets start at fd 4.',
  },
  {
    id: 'reprs',
    text: 'Socket reprs leave out family, type and proto (SOCK_STREAM and 0 for every socket here; the family is AF_INET unless the program asked for AF_INET6); lock and object reprs leave out the address. Tracebacks leave out the ^^^ markers Python 3.11 prints under the failing expression. A socket timeout bounds each accept(), recv() and send() in simulated time; sendall() and connect() on a socket with a timeout wait without one.',
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
