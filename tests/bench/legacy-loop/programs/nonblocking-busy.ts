import type { Code } from '../interpreter.ts';
import { goTo, lookup, loopTurn, peek, top } from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { NONE, bytes, bytesLiteral, int, list, str, truthy } from '../py-value.ts';
import {
  SERVER_ADDRESS,
  fdOf,
  pyAccept,
  pyBind,
  pyClose,
  pyListen,
  pyRecv,
  pySetBlocking,
  pySocket,
  sockId,
} from '../python-socket.ts';
import { peerOf, plural, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { assignConstant, bytesOf, importLine, sendallStep, listItems } from './shared-lines.ts';

const SOURCE = [
  'import socket',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  'lsock.bind((HOST, PORT))',
  'lsock.listen()',
  'lsock.setblocking(False)',
  'conns = []',
  'while True:',
  '    try:',
  '        conn, addr = lsock.accept()',
  '        conn.setblocking(False)',
  '        conns.append(conn)',
  '    except BlockingIOError:',
  '        pass',
  '    for sock in conns[:]:',
  '        try:',
  '            data = sock.recv(1024)',
  '        except BlockingIOError:',
  '            continue',
  '        if data:',
  '            sock.sendall(data)',
  '        else:',
  '            conns.remove(sock)',
  '            sock.close()',
] as const;

const CODE: Code = { file: 'busy_server.py', source: SOURCE };

function wasted(w: LoopWorld): string {
  return `wasted try #${w.counters.wastedTries}`;
}

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  switch (f.line) {
    case 1:
      return importLine(w, t, 3, 'socket');
    case 3:
      return assignConstant(
        w,
        t,
        4,
        'HOST',
        str('127.0.0.1'),
        'the loopback address, so only programs on this machine can connect',
      );
    case 4:
      return assignConstant(w, t, 6, 'PORT', int(SERVER_ADDRESS.port), 'any free port above 1023 will do');
    case 6: {
      const r = pySocket(w);
      return ran(
        goTo(r.world, t.id, 7, { lsock: r.value }),
        `socket.socket() asks the kernel for a TCP socket and gets fd ${r.fd}.`,
      );
    }
    case 7:
      return ran(
        goTo(pyBind(w, v('lsock'), SERVER_ADDRESS), t.id, 8),
        `bind() gives fd ${fdOf(w, v('lsock'))} the address 127.0.0.1:65432.`,
      );
    case 8:
      return ran(
        goTo(pyListen(w, v('lsock')), t.id, 9),
        `listen() makes fd ${fdOf(w, v('lsock'))} a listening socket; the kernel now queues incoming connections by itself.`,
      );
    case 9:
      return ran(
        goTo(pySetBlocking(w, v('lsock'), false), t.id, 10),
        `setblocking(False) sets O_NONBLOCK on fd ${fdOf(w, v('lsock'))}: from now on accept() raises BlockingIOError instead of waiting when no connection is queued.`,
      );
    case 10:
      return ran(
        goTo(w, t.id, 11, { conns: list([]), $todo: NONE }),
        'conns = []: the connections to poll, one by one, on every turn of the loop.',
      );
    case 11: {
      const turn = loopTurn(w);
      const note = turn.idle
        ? `the last turn found nothing to do: ${plural(turn.world.counters.wastedPasses, 'wasted turn')} so far, and the CPU never rests.`
        : 'nothing here ever waits; the loop polls every socket and goes round again at once.';
      return ran(goTo(turn.world, t.id, 13), `while True: ${note}`);
    }
    case 13: {
      const r = pyAccept(w, v('lsock'));
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') {
        return ran(
          goTo(r.world, t.id, 16),
          `accept() finds no connection in the queue and, since fd ${fdOf(w, v('lsock'))} is non-blocking, raises BlockingIOError at once (${wasted(r.world)}).`,
        );
      }
      const { conn, addr, socket } = r.value;
      return ran(
        goTo(r.world, t.id, 14, { conn, addr }),
        `accept() returns ${socket.peerName}'s connection as fd ${socket.fd}, from ${show(r.world, addr)}.`,
      );
    }
    case 14:
      return ran(
        goTo(pySetBlocking(w, v('conn'), false), t.id, 15),
        `setblocking(False) on fd ${fdOf(w, v('conn'))}: accept() returns a blocking socket even from a non-blocking listener, so each connection needs its own call.`,
      );
    case 15:
      return ran(
        goTo(w, t.id, 18, { conns: list([...listItems(v('conns')), v('conn')]), $todo: NONE }),
        `conns.append(conn): fd ${fdOf(w, v('conn'))} joins the sockets polled on every turn.`,
      );
    case 16:
      return ran(
        goTo(w, t.id, 17),
        'except BlockingIOError: the exception matches, so it is caught here and the program carries on.',
      );
    case 17:
      return ran(goTo(w, t.id, 18, { $todo: NONE }), 'pass: nothing to do about it; try the connections instead.');
    case 18: {
      const todo = peek(w, t.id, '$todo') ?? NONE;
      const queue = todo.type === 'list' ? todo.items : listItems(v('conns'));
      const [next, ...rest] = queue;
      if (next === undefined) {
        return ran(
          goTo(w, t.id, 11, { $todo: NONE }),
          `for sock in conns[:]: ${todo.type === 'list' ? 'every connection has been tried' : 'there are no connections to try'}, so back to the top of the loop.`,
        );
      }
      return ran(
        goTo(w, t.id, 20, { sock: next, $todo: list(rest) }),
        `for sock in conns[:]: next, fd ${fdOf(w, next)} (${peerOf(w, next)}). The loop walks a copy, so removing from conns inside it is safe.`,
      );
    }
    case 20: {
      const r = pyRecv(w, v('sock'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') {
        return ran(
          goTo(r.world, t.id, 21),
          `recv() on fd ${fdOf(w, v('sock'))} finds nothing to read and raises BlockingIOError at once (${wasted(r.world)}).`,
        );
      }
      const text =
        r.value === ''
          ? `recv(1024) returns b'': ${peerOf(w, v('sock'))} has closed and every byte has been read.`
          : `recv(1024) returns ${bytesLiteral(r.value)} from ${peerOf(w, v('sock'))}.`;
      return ran(goTo(r.world, t.id, 23, { data: bytes(r.value) }), text);
    }
    case 21:
      return ran(goTo(w, t.id, 22), 'except BlockingIOError: caught; this socket had nothing for us.');
    case 22:
      return ran(goTo(w, t.id, 18), 'continue: on to the next connection.');
    case 23:
      return truthy(v('data'))
        ? ran(goTo(w, t.id, 24), `data is ${show(w, v('data'))}, so it is echoed back.`)
        : ran(goTo(w, t.id, 26), "data is b'': the client has closed, so the else branch drops the connection.");
    case 24:
      return sendallStep(w, t, CODE, v('sock'), bytesOf(v('data')), 18);
    case 26: {
      const sock = v('sock');
      const rest = listItems(v('conns')).filter((c) => c.type !== 'socket' || c.id !== sockId(sock));
      return ran(goTo(w, t.id, 27, { conns: list(rest) }), `conns.remove(sock): fd ${fdOf(w, sock)} will not be polled again.`);
    }
    case 27: {
      const sock = v('sock');
      return ran(
        goTo(pyClose(w, sock), t.id, 18),
        `sock.close() releases fd ${fdOf(w, sock)}; the kernel sends ${peerOf(w, sock)} a FIN.`,
      );
    }
    default:
      throw new RangeError(`nonblocking-busy has no statement on line ${f.line}`);
  }
}

export const nonblockingBusy: Program = {
  id: 'nonblocking-busy',
  title: 'Non-blocking busy loop',
  description:
    'Every socket is non-blocking and the loop tries accept() and each recv() in turn, catching BlockingIOError whenever there is nothing there. It serves everyone, but burns the CPU on tries that fail.',
  file: CODE.file,
  role: 'server',
  source: SOURCE,
  exec,
};
