import { flags } from './segment.ts';
import type { TcpState } from './state.ts';
import type { AppCall, CallResult, Endpoint, SocketError, StepContext } from './tcb.ts';
import { clearAllTimers, emit, sendAck, sendSyn, transmit } from './output.ts';

function result(ctx: StepContext, r: CallResult): void {
  ctx.effects.push({ kind: 'result', result: r });
}

function fail(e: Endpoint, ctx: StepContext, error: SocketError, why: string): Endpoint {
  ctx.why.push(why);
  result(ctx, { ok: false, error });
  return e;
}

/** RFC 9293 §3.10.1–3.10.6: OPEN, SEND, RECEIVE, CLOSE and ABORT, in the socket API's terms. */
export function userCall(e: Endpoint, call: AppCall, ctx: StepContext): Endpoint {
  switch (call.op) {
    case 'listen':
      return listen(e, ctx);
    case 'connect':
      return connect(e, ctx);
    case 'send':
      return send(e, call.data, ctx);
    case 'recv':
      return recv(e, call.max, ctx);
    case 'shutdown':
      return shutdown(e, ctx);
    case 'close':
      return close(e, ctx);
    case 'abort':
      return abort(e, ctx);
  }
}

function listen(e: Endpoint, ctx: StepContext): Endpoint {
  if (e.state !== 'CLOSED') return fail(e, ctx, 'EINVAL', `listen() needs a CLOSED socket; this one is ${e.state}.`);
  ctx.why.push('listen() is a passive OPEN: the socket waits in LISTEN for a SYN.');
  result(ctx, { ok: true });
  return { ...e, state: 'LISTEN' };
}

function activeOpen(e: Endpoint, ctx: StepContext): Endpoint {
  return sendSyn({ ...e, state: 'SYN-SENT', passive: false, sndUna: e.iss, sndNxt: e.iss }, ctx);
}

function connect(e: Endpoint, ctx: StepContext): Endpoint {
  if (e.state === 'SYN-SENT' || e.state === 'SYN-RECEIVED') return fail(e, ctx, 'EALREADY', 'A connect() is already in progress.');
  if (e.state !== 'CLOSED') return fail(e, ctx, 'EISCONN', `connect() needs a CLOSED socket; this one is ${e.state}.`);
  ctx.why.push(`connect() is an active OPEN: a SYN with Seq=ISS=${e.iss} goes out and the socket enters SYN-SENT.`);
  result(ctx, { ok: true });
  return activeOpen(e, ctx);
}

const QUEUES_BEFORE_ESTABLISHED: readonly TcpState[] = ['SYN-SENT', 'SYN-RECEIVED'];
const ACCEPTS_SEND: readonly TcpState[] = ['ESTABLISHED', 'CLOSE-WAIT'];

function send(e: Endpoint, data: string, ctx: StepContext): Endpoint {
  if (e.state === 'CLOSED') return fail(e, ctx, e.error ?? 'ENOTCONN', 'send() on a socket with no connection fails.');
  if (e.finQueued) return fail(e, ctx, 'EPIPE', 'send() after shutting down the write side fails with EPIPE.');
  result(ctx, { ok: true, bytes: data.length });
  if (e.state === 'LISTEN') {
    // RFC 9293 §3.10.2: SEND in LISTEN turns the passive open into an active one.
    ctx.why.push('SEND on a LISTEN socket with a known peer makes it active: a SYN goes out and the data waits for ESTABLISHED.');
    return activeOpen({ ...e, sndBuf: e.sndBuf + data }, ctx);
  }
  const queued = { ...e, sndBuf: e.sndBuf + data };
  if (QUEUES_BEFORE_ESTABLISHED.includes(e.state)) {
    ctx.why.push(`send() of ${data.length} bytes is queued until the connection is ESTABLISHED.`);
    return queued;
  }
  if (!ACCEPTS_SEND.includes(e.state)) return fail(e, ctx, 'EPIPE', `send() in ${e.state} fails: the connection is closing.`);
  ctx.why.push(`send() copies ${data.length} bytes into the send buffer; TCP sends what the peer's window allows.`);
  return transmit(queued, ctx);
}

function recv(e: Endpoint, max: number, ctx: StepContext): Endpoint {
  if (e.appClosed) return fail(e, ctx, 'EBADF', 'recv() after close() is an error: the descriptor is gone.');
  if (e.rcvBuf.length > 0) {
    const data = e.rcvBuf.slice(0, max);
    ctx.why.push(`recv() returns ${data.length} bytes from the receive buffer, which reopens the window.`);
    result(ctx, { ok: true, data });
    return windowUpdate({ ...e, rcvBuf: e.rcvBuf.slice(data.length), rcvWnd: e.rcvWnd + data.length }, ctx);
  }
  if (e.finReceived) {
    ctx.why.push("recv() returns 0 bytes, end of file: the peer's FIN has been consumed and nothing is left to read.");
    result(ctx, { ok: true, data: '', eof: true });
    return e;
  }
  if (e.error !== undefined) {
    // Linux reports a socket error once (sock_error() clears it); after that recv() sees end of file.
    fail(e, ctx, e.error, `recv() reports the connection's error, ${e.error}, once; later calls return b"".`);
    return { ...e, error: undefined, finReceived: true };
  }
  if (e.state === 'CLOSED' || e.state === 'LISTEN') return fail(e, ctx, 'ENOTCONN', 'recv() on a socket with no connection fails.');
  return fail(e, ctx, 'EAGAIN', 'Nothing to read yet: a blocking recv() would wait here.');
}

/**
 * RFC 9293 §3.8.6.2.2 receiver-side SWS avoidance: announce a reopened window only
 * once it grew by min(half the buffer, one MSS).
 */
function windowUpdate(e: Endpoint, ctx: StepContext): Endpoint {
  const synchronized = !['CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'TIME-WAIT'].includes(e.state);
  const grew = e.rcvWnd - e.rcvWndAdvertised;
  if (!synchronized || e.finReceived || grew < Math.min(e.config.rcvBufSize / 2, e.sndMss)) return e;
  ctx.why.push('The window grew by at least an MSS since it was last advertised, so an ACK announces it.');
  return sendAck(e, ctx);
}

/** shutdown(SHUT_WR), RFC 9293 CLOSE: no more sends; a FIN follows the queued bytes. */
function shutdown(e: Endpoint, ctx: StepContext): Endpoint {
  switch (e.state) {
    case 'CLOSED':
      return fail(e, ctx, e.error ?? 'ENOTCONN', 'There is no connection to shut down.');
    case 'LISTEN':
    case 'SYN-SENT':
      ctx.why.push(`CLOSE in ${e.state} deletes the TCB: there is no connection to finish.`);
      result(ctx, { ok: true });
      return clearAllTimers({ ...e, state: 'CLOSED' });
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
      ctx.why.push(
        e.sndBuf.length > 0
          ? 'CLOSE enters FIN-WAIT-1; the FIN follows the bytes still queued.'
          : 'CLOSE sends a FIN and enters FIN-WAIT-1: this side will send nothing more.',
      );
      result(ctx, { ok: true });
      return transmit({ ...e, state: 'FIN-WAIT-1', finQueued: true }, ctx);
    case 'CLOSE-WAIT':
      ctx.why.push('The peer already sent its FIN; CLOSE sends ours and enters LAST-ACK to wait for its acknowledgment.');
      result(ctx, { ok: true });
      return transmit({ ...e, state: 'LAST-ACK', finQueued: true }, ctx);
    default:
      ctx.why.push(`The write side is already shut down (${e.state}); nothing more is sent.`);
      result(ctx, { ok: true });
      return e;
  }
}

const HOLDS_A_CONNECTION: readonly TcpState[] = ['SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT'];

function close(e: Endpoint, ctx: StepContext): Endpoint {
  if (e.appClosed) return fail(e, ctx, 'EBADF', 'close() twice: the descriptor is already closed.');
  if (e.rcvBuf.length > 0 && HOLDS_A_CONNECTION.includes(e.state)) {
    // RFC 1122 §4.2.2.13, and what Linux does: unread data means the peer's bytes were lost, so say so.
    ctx.why.push(`close() with ${e.rcvBuf.length} unread bytes in the receive buffer sends RST instead of FIN.`);
    return abort({ ...e, appClosed: true }, ctx);
  }
  if (e.state === 'CLOSED') {
    ctx.why.push('close() releases a socket whose connection is already gone.');
    result(ctx, { ok: true });
    return { ...e, appClosed: true };
  }
  return shutdown({ ...e, appClosed: true }, ctx);
}

/** RFC 9293 §3.10.5 ABORT, as close() with SO_LINGER {on, 0}. Linux's reset carries ACK. */
function abort(e: Endpoint, ctx: StepContext): Endpoint {
  result(ctx, { ok: true });
  const closed = clearAllTimers({ ...e, state: 'CLOSED' as const, appClosed: true, sndBuf: '', rcvBuf: '', outOfOrder: [] });
  ctx.effects.push({ kind: 'notify', event: 'closed' });
  if (!HOLDS_A_CONNECTION.includes(e.state)) {
    ctx.why.push(`ABORT in ${e.state} deletes the TCB without telling the peer.`);
    return closed;
  }
  ctx.why.push('ABORT (SO_LINGER with a zero timeout) discards both buffers and sends RST: the peer sees ECONNRESET.');
  return emit(closed, ctx, { seq: e.sndNxt, flags: flags('RST', 'ACK') });
}
