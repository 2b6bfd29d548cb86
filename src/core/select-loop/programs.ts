import type { ProgramInfo } from './program.ts';

/** The course's programs: their texts are content/programs/<file>, loaded by whoever runs them. */
export const PROGRAM_INFO: readonly ProgramInfo[] = [
  {
    id: 'blocking-echo',
    title: 'Blocking echo server',
    description:
      'The classic echo server: accept() one client, recv() and sendall() until it closes, then accept() the next. While it waits in recv() for one client, the others sit in the accept queue.',
    file: 'blocking_echo.py',
    role: 'server',
  },
  {
    id: 'nonblocking-busy',
    title: 'Non-blocking busy loop',
    description:
      'Every socket is non-blocking and the loop tries accept() and each recv() in turn, catching BlockingIOError whenever there is nothing there. It serves everyone, but burns the CPU on tries that fail.',
    file: 'nonblocking_busy.py',
    role: 'server',
  },
  {
    id: 'selectors-server',
    title: 'Echo server with selectors',
    description:
      'One thread serves every client: select() says which sockets are ready, and the loop reads or writes only those. Each connection keeps its own buffers in a SimpleNamespace registered with the selector.',
    file: 'selectors_server.py',
    role: 'server',
  },
  {
    id: 'selectors-server-modify',
    title: 'Echo server with selectors and modify()',
    description:
      'The same server, registering EVENT_WRITE only while a connection has bytes waiting to be sent (sel.modify), so select() sleeps when there is nothing to do.',
    file: 'selectors_server_modify.py',
    role: 'server',
  },
  {
    id: 'selectors-client',
    title: 'Client with selectors',
    description:
      'The multi-connection client: it opens two non-blocking connections, registers both for reading and writing, sends each message when a socket is writable and closes a connection once all its bytes have come back.',
    file: 'selectors_client.py',
    role: 'client',
    connectsTo: 'echo',
  },
  {
    id: 'chat-server',
    title: 'Threaded chat server',
    description:
      'A thread per client: the main thread accepts, and each handler thread waits in its own recv() and broadcasts what arrives to everyone else with sendall(). A lock guards the shared list of clients.',
    file: 'chat_server.py',
    role: 'server',
  },
  {
    id: 'chat-server-framed',
    title: 'Threaded chat server, newline-framed',
    description:
      'The threaded chat server with framing: each handler keeps the bytes it has received in a buffer, cuts complete lines off at b"\\n" and broadcasts only those, keeping an unfinished line until the rest arrives.',
    file: 'chat_server_framed.py',
    role: 'server',
  },
  {
    id: 'framed-server',
    title: 'Length-prefixed server',
    description:
      'Each message is a 4-byte length in network byte order, then that many bytes. recv_exactly() loops until it has exactly the bytes it needs; the server decodes each whole message and answers with a framed reply in upper case.',
    file: 'framed_server.py',
    role: 'server',
  },
  {
    id: 'chat-client-buggy',
    title: 'Chat client (single thread)',
    description:
      'One thread does everything in turn: input(), sendall(), one recv(), print. While input() waits for the keyboard nobody reads the socket, so other people\'s messages only show up after you send one.',
    file: 'chat_client_buggy.py',
    role: 'client',
    connectsTo: 'chat',
  },
  {
    id: 'chat-client-fixed',
    title: 'Chat client with a receiving thread',
    description:
      'The fix: a second thread does nothing but recv() and print, so messages appear as they arrive while the main thread waits at input().',
    file: 'chat_client_fixed.py',
    role: 'client',
    connectsTo: 'chat',
  },
  {
    id: 'asyncio-echo-server',
    title: 'Echo server with asyncio',
    description:
      'One thread, one event loop: start_server() runs handle() as a task for each connection, and every await reader.readline() hands the loop back until a line has arrived. The loop calls select() (epoll) underneath, just as the selectors server does by hand.',
    file: 'asyncio_echo_server.py',
    role: 'server',
  },
  {
    id: 'asyncio-chat-server',
    title: 'Chat server with asyncio',
    description:
      'The chat server as coroutines: a task per client reads whole lines with readline() and writes each line to every other client. The list of writers needs no lock, because a task only gives way to another at an await.',
    file: 'asyncio_chat_server.py',
    role: 'server',
  },
  {
    id: 'asyncio-echo-blocking',
    title: 'Echo server with asyncio and a blocking call',
    description:
      'The classic asyncio bug: time.sleep(1) inside a handler blocks the thread that runs the event loop, so while one client waits for its echo no other client is served, accepted or even read.',
    file: 'asyncio_echo_blocking.py',
    role: 'server',
  },
  {
    id: 'epoll-echo',
    title: 'Echo server on epoll (readiness)',
    description:
      'DefaultSelector is epoll on Linux. select() is one epoll_wait() that sleeps until a socket is ready; then the program makes the calls itself: accept(), recv(), and send() at once, registering EVENT_WRITE only if send() could not take everything.',
    file: 'epoll_echo.py',
    role: 'server',
    countsSyscalls: true,
  },
  {
    id: 'uring-echo',
    title: 'Echo server on io_uring (completion)',
    description:
      'The program writes requests (accept, recv, send, close) into a submission queue, one io_uring_enter() hands them all to the kernel and sleeps, and the kernel does the I/O and posts each result in a completion queue. uring is a teaching module modelled on liburing, not part of Python.',
    file: 'uring_echo.py',
    role: 'server',
    countsSyscalls: true,
  },
  {
    id: 'timeout-client',
    title: 'Client with a timeout',
    description:
      'create_connection() with timeout=2.5 connects to an echo server, sends one line and reads the echo. Its second recv() finds nothing to read: instead of waiting for ever, it waits 2.5 s of simulated time and raises TimeoutError.',
    file: 'timeout_client.py',
    role: 'client',
    connectsTo: 'echo',
  },
  {
    id: 'dualstack-server',
    title: 'Dual-stack server',
    description:
      'create_server(("", PORT), family=AF_INET6, dualstack_ipv6=True) makes one AF_INET6 listening socket on :: that takes IPv4 connections too: an IPv4 client shows up with an IPv4-mapped address, ::ffff:127.0.0.1, and an IPv6 one as ::1.',
    file: 'dualstack_server.py',
    role: 'server',
  },
];

export function programInfo(id: string): ProgramInfo {
  const p = PROGRAM_INFO.find((x) => x.id === id);
  if (p === undefined) throw new RangeError(`no program '${id}'`);
  return p;
}
