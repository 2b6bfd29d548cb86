import type { LoopInput } from './inputs.ts';
import type { ConnectedSocket, Kernel, Peer } from './kernel.ts';
import {
  SERVER_PORT,
  addressText,
  clientConnects,
  completeHandshake,
  connected,
  findPeer,
  listenerOn,
  peerCloses,
  peerDrains,
  peerResets,
  peerSends,
} from './kernel.ts';
import { bytesLiteral, isByteString, strLiteral, utf8Encode } from './py-value.ts';
import { plural } from './show.ts';
import type { LoopWorld } from './world.ts';

/**
 * What the network and the people at the keyboards do to a world: scheduled and injected
 * inputs, and the automatic replies of the simulated servers the client programs talk to.
 */
export type Applied = { readonly ok: true; readonly world: LoopWorld; readonly explanation: string } | { readonly ok: false; readonly why: string };

function withKernel(w: LoopWorld, kernel: Kernel): LoopWorld {
  return kernel === w.kernel ? w : { ...w, kernel };
}

const accepted = (world: LoopWorld, explanation: string): Applied => ({ ok: true, world, explanation });
const rejected = (why: string): Applied => ({ ok: false, why });

function liveSocket(k: Kernel, peer: Peer): ConnectedSocket | undefined {
  return peer.socket === undefined ? undefined : connected(k, peer.socket);
}

/** "fd 4" once accepted, else a name for a connection that is still queued. */
function where(s: ConnectedSocket): string {
  return s.fd === undefined ? `the receive buffer of ${s.peerName}'s connection, still in the accept queue (the kernel takes data before accept() does)` : `fd ${s.fd}'s receive buffer`;
}

function someoneWaits(w: LoopWorld, call: string): boolean {
  return w.threads.some((t) => t.wait?.call === call);
}

/** The port simulated clients connect to: the program's listening socket's, else the course's usual one. */
function serverPort(w: LoopWorld): number {
  return w.kernel.sockets.find((s) => s.kind === 'listening')?.local?.port ?? SERVER_PORT;
}

function connect(w: LoopWorld, name: string, slowReader: boolean, ipv6: boolean): Applied {
  if (findPeer(w.kernel, name) !== undefined) return rejected(`${name} has already connected once`);
  const port = serverPort(w);
  const kernel = clientConnects(w.kernel, { name, kind: 'client', slowReader }, port, undefined, ipv6);
  const peer = findPeer(kernel, name);
  if (peer === undefined) throw new RangeError(`${name} was not added`);
  const from = addressText(peer.address);
  if (peer.state === 'refused') {
    return accepted(
      withKernel(w, kernel),
      `${name} connects from ${from}, but nothing listens on port ${port} ${listenerOn(w.kernel, port) === undefined ? 'yet' : `for ${ipv6 ? 'IPv6' : 'IPv4'}`}: the kernel answers the SYN with RST and ${name}'s connect() fails with ConnectionRefusedError.`,
    );
  }
  const l = listenerOn(w.kernel, port);
  const then = someoneWaits(w, 'accept') ? 'accept() has been waiting for this and can return it now.' : 'accept() has not been called for it yet.';
  return accepted(
    withKernel(w, kernel),
    `${name} connects from ${from}${peer.address.host.startsWith('::ffff:') ? ' (127.0.0.1 over IPv4, which an IPv6 socket sees as an IPv4-mapped address)' : ''}${slowReader ? ' (a slow reader)' : ''}: the kernel completes the three-way handshake by itself and queues the connection on fd ${l?.fd ?? '?'} (ESTABLISHED, no fd yet). ${then}`,
  );
}

function notConnected(name: string, peer: Peer | undefined): string {
  return peer?.state === 'reset' ? `${name}'s connection was reset` : `${name} is not connected`;
}

function clientSends(w: LoopWorld, name: string, data: string, how: string): Applied {
  const peer = findPeer(w.kernel, name);
  if (peer === undefined || peer.state !== 'established') return rejected(notConnected(name, peer));
  if (peer.finSent) return rejected(`${name} has already closed its end`);
  const s = liveSocket(w.kernel, peer);
  if (s === undefined || s.closed) return rejected(`the server has already closed ${name}'s connection`);
  if (data.length === 0) return rejected('there is nothing to send');
  if (!isByteString(data)) return rejected('data must be bytes, one character per byte');
  const kernel = peerSends(w.kernel, name, data);
  const after = connected(kernel, s.id)?.recvBuffer.length ?? 0;
  return accepted(withKernel(w, kernel), `${how} ${bytesLiteral(data)}: ${plural(data.length, 'byte')} arrive in ${where(s)}, which now holds ${after}.`);
}

function clientCloses(w: LoopWorld, name: string): Applied {
  const peer = findPeer(w.kernel, name);
  if (peer === undefined || peer.state !== 'established') return rejected(notConnected(name, peer));
  if (peer.finSent) return rejected(`${name} has already closed its end`);
  const s = liveSocket(w.kernel, peer);
  const kernel = peerCloses(w.kernel, name);
  const buffered = s?.recvBuffer.length ?? 0;
  const then = buffered === 0 ? "recv() on it now returns b''" : `once its ${plural(buffered, 'buffered byte')} are read, recv() returns b''`;
  return accepted(withKernel(w, kernel), `${name} closes its end: its FIN arrives, so ${then}. It still reads whatever the server sends back.`);
}

function clientResets(w: LoopWorld, name: string): Applied {
  const peer = findPeer(w.kernel, name);
  if (peer === undefined || peer.state !== 'established') return rejected(notConnected(name, peer));
  if (peer.finSent) return rejected(`${name} has already closed its end`);
  const s = liveSocket(w.kernel, peer);
  const where = s?.fd === undefined ? 'its connection, still in the accept queue' : `fd ${s.fd}`;
  return accepted(
    withKernel(w, peerResets(w.kernel, name)),
    `${name} aborts its connection: its RST arrives at ${where}, throwing away any bytes in flight. The next recv() or send() there raises ConnectionResetError.`,
  );
}

function drain(w: LoopWorld, name: string, bytes: number): Applied {
  const peer = findPeer(w.kernel, name);
  if (peer === undefined || !peer.slowReader) return rejected(`${name} is not a slow reader: it reads everything at once`);
  const s = liveSocket(w.kernel, peer);
  if (s === undefined || s.sendBuffer.length === 0) return rejected(`nothing is waiting for ${name} to read`);
  if (!(bytes > 0)) return rejected('a drain must read at least one byte');
  const n = Math.min(Math.floor(bytes), s.sendBuffer.length);
  const kernel = peerDrains(w.kernel, name, n);
  const after = connected(kernel, s.id);
  const room =
    after === undefined
      ? `The send buffer is empty, so the FIN that close() queued goes out after them.`
      : `fd ${s.fd ?? '?'}'s send buffer has room again: ${after.sendBuffer.length} of ${after.sendCapacity} bytes queued.`;
  return accepted(withKernel(w, kernel), `${name} reads ${bytesLiteral(s.sendBuffer.slice(0, n))}. ${room}`);
}

function typeLine(w: LoopWorld, text: string): Applied {
  if (w.exited) return rejected('the program has exited');
  const then = someoneWaits(w, 'input') ? 'input() returns it.' : 'It waits in the terminal until input() is called.';
  return accepted({ ...w, stdin: [...w.stdin, text] }, `The user types ${strLiteral(text)} and presses Enter. ${then}`);
}

function chatServer(w: LoopWorld): Peer | undefined {
  return w.kernel.peers.find((p) => p.kind === 'chat-server');
}

function relayed(w: LoopWorld, from: string, data: string): Applied {
  const server = chatServer(w);
  if (server === undefined) return rejected('this program is not connected to a chat server');
  return clientSends(w, server.name, data, `${from}'s message reaches the chat server, which relays`);
}

function serverCloses(w: LoopWorld, name: string): Applied {
  const server = chatServer(w);
  if (server === undefined || server.name !== name) return rejected(`${name} is not the chat server`);
  return clientCloses(w, name);
}

/** Applies one input, or says why it cannot happen in this world. */
export function applyInput(w: LoopWorld, input: LoopInput): Applied {
  const role = w.program.role;
  switch (input.kind) {
    case 'connect':
      return role === 'server' ? connect(w, input.client, input.slowReader === true, input.ipv6 === true) : rejected('clients connect to server programs only');
    case 'send':
      return role === 'server' ? clientSends(w, input.client, input.data, `${input.client} sends`) : relayed(w, input.client, input.data);
    case 'close':
      return role === 'server' ? clientCloses(w, input.client) : serverCloses(w, input.client);
    case 'reset':
      return role === 'server' ? clientResets(w, input.client) : rejected('only clients of a server program reset here');
    case 'drain':
      return role === 'server' ? drain(w, input.client, input.bytes) : rejected('the simulated servers read at once');
    case 'type':
      if (input.client === undefined) return role === 'client' ? typeLine(w, input.text) : rejected('this program does not read its terminal');
      return role === 'server'
        ? clientSends(w, input.client, utf8Encode(`${input.text}\n`), `${input.client} types ${strLiteral(input.text)} into nc, which sends`)
        : rejected('only the program’s own user types here');
  }
}

/** What the echo server the client program talks to does next on its own: finish a handshake, echo, or close after our FIN. */
export function peerReaction(w: LoopWorld): Applied | undefined {
  const echo = w.kernel.peers.filter((p) => p.kind === 'echo-server');
  const connecting = echo.find((p) => p.state === 'connecting');
  if (connecting !== undefined) {
    const s = liveSocket(w.kernel, connecting);
    return accepted(
      withKernel(w, completeHandshake(w.kernel, connecting.name)),
      `${connecting.name} answers the SYN with SYN, ACK and our kernel replies ACK: the handshake is done, so fd ${s?.fd ?? '?'} is connected and turns writable.`,
    );
  }
  for (const p of echo) {
    const pending = p.received.slice(p.sent.length);
    const s = liveSocket(w.kernel, p);
    if (pending.length > 0 && s !== undefined && !s.closed) {
      return accepted(
        withKernel(w, peerSends(w.kernel, p.name, pending)),
        `${p.name} recv()s ${bytesLiteral(pending)} and sends it straight back: ${plural(pending.length, 'byte')} arrive in fd ${s.fd ?? '?'}'s receive buffer.`,
      );
    }
  }
  const done = echo.find((p) => p.finReceived && !p.finSent);
  if (done !== undefined) {
    return accepted(withKernel(w, peerCloses(w.kernel, done.name)), `${done.name} reads EOF after our FIN and closes its socket too.`);
  }
  return undefined;
}

const NAMES = ['A', 'B', 'C', 'D', 'E', 'F'];

/** Inputs that can happen now, with sample data: the menu a learner injects from. */
export function possibleInputs(w: LoopWorld): readonly LoopInput[] {
  const out: LoopInput[] = [];
  if (w.program.role === 'client') {
    if (w.exited) return out;
    out.push({ kind: 'type', text: 'hello' });
    const server = chatServer(w);
    if (server !== undefined && server.state === 'established' && !server.finSent) {
      out.push({ kind: 'send', client: 'B', data: 'hi from B' }, { kind: 'close', client: server.name });
    }
    return out.filter((i) => applyInput(w, i).ok);
  }
  const fresh = NAMES.find((n) => findPeer(w.kernel, n) === undefined);
  if (fresh !== undefined) out.push({ kind: 'connect', client: fresh });
  for (const p of w.kernel.peers) {
    out.push({ kind: 'send', client: p.name, data: `hi from ${p.name}\n` }, { kind: 'close', client: p.name }, { kind: 'reset', client: p.name });
    const s = liveSocket(w.kernel, p);
    if (s !== undefined && s.sendBuffer.length > 0) out.push({ kind: 'drain', client: p.name, bytes: s.sendBuffer.length });
  }
  return out.filter((i) => applyInput(w, i).ok);
}
