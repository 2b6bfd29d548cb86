import { findSocket, listenerOn, SERVER_PORT } from '../kernel.ts';
import type { Code } from '../interpreter.ts';
import { goTo, leaveWith, lookup, print, raiseIn, top } from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { bytesLiteral, int, str, truthy } from '../py-value.ts';
import { SERVER_ADDRESS, fdOf, pyAccept, pyBind, pyClose, pyListen, pyRecv, pySocket } from '../python-socket.ts';
import { peerOf, plural, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { assignConstant, bytesOf, importLine, sendallStep } from './shared-lines.ts';

const SOURCE = [
  'import socket',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:',
  '    s.bind((HOST, PORT))',
  '    s.listen()',
  '    while True:',
  '        conn, addr = s.accept()',
  '        with conn:',
  '            print(f"Connected by {addr}")',
  '            while True:',
  '                data = conn.recv(1024)',
  '                if not data:',
  '                    break',
  '                conn.sendall(data)',
] as const;

const CODE: Code = { file: 'echo_server.py', source: SOURCE };

function queuedText(w: LoopWorld): string {
  const l = listenerOn(w.kernel, SERVER_PORT);
  const names = (l?.acceptQueue ?? []).map((id) => {
    const s = findSocket(w.kernel, id);
    return s?.kind === 'connected' ? s.peerName : `socket ${id}`;
  });
  return names.length === 0 ? 'The accept queue is now empty.' : `Still in the accept queue: ${names.join(', ')}.`;
}

function waiting(w: LoopWorld): string {
  const n = listenerOn(w.kernel, SERVER_PORT)?.acceptQueue.length ?? 0;
  return n === 0 ? '' : ` Meanwhile nobody calls accept(): ${plural(n, 'connection')} wait${n === 1 ? 's' : ''} in the queue.`;
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
      return assignConstant(
        w,
        t,
        6,
        'PORT',
        int(SERVER_ADDRESS.port),
        'any free port above 1023 will do; lower ones need privileges',
      );
    case 6: {
      const r = pySocket(w);
      return ran(
        goTo(r.world, t.id, 7, { s: r.value }),
        `socket.socket(AF_INET, SOCK_STREAM) asks the kernel for a TCP socket over IPv4 and gets fd ${r.fd}. The with block will close it when it ends.`,
      );
    }
    case 7:
      return ran(
        goTo(pyBind(w, v('s'), SERVER_ADDRESS), t.id, 8),
        `bind() gives fd ${fdOf(w, v('s'))} its address: 127.0.0.1, port 65432.`,
      );
    case 8:
      return ran(
        goTo(pyListen(w, v('s')), t.id, 9),
        `listen() makes fd ${fdOf(w, v('s'))} a listening socket (backlog 128, Python's default). From now on the kernel completes handshakes by itself and queues the connections for accept().`,
      );
    case 9:
      return ran(goTo(w, t.id, 10), 'while True: serve one client after another, forever.');
    case 10: {
      const r = pyAccept(w, v('s'));
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'accept() raised.');
      const { conn, addr, socket } = r.value;
      return ran(
        goTo(r.world, t.id, 11, { conn, addr }),
        `accept() takes ${socket.peerName}'s connection from the accept queue and returns it as a new socket, fd ${socket.fd}, with the client's address ${show(r.world, addr)}. ${queuedText(r.world)}`,
      );
    }
    case 11: {
      if (f.exiting) {
        const fd = fdOf(w, v('conn'));
        const peer = peerOf(w, v('conn'));
        return ran(
          goTo(pyClose(w, v('conn')), t.id, 9),
          `Leaving the with block closes conn: fd ${fd} is released and the kernel sends ${peer} a FIN. Only now does the server go back to accept().`,
        );
      }
      return ran(
        goTo(w, t.id, 12),
        `with conn: whatever happens inside, fd ${fdOf(w, v('conn'))} is closed when the block ends.`,
      );
    }
    case 12: {
      const line = `Connected by ${show(w, v('addr'))}`;
      return ran(goTo(print(w, line), t.id, 13), `Prints "${line}".`);
    }
    case 13:
      return ran(goTo(w, t.id, 14), `while True: keep reading from ${peerOf(w, v('conn'))} until it closes.`);
    case 14: {
      const r = pyRecv(w, v('conn'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised.');
      const peer = peerOf(w, v('conn'));
      const text =
        r.value === ''
          ? `recv(1024) returns b'': ${peer} has sent its FIN and every byte before it has been read.`
          : `recv(1024) returns ${bytesLiteral(r.value)}: ${plural(r.value.length, 'byte')} from ${peer}, taken from fd ${fdOf(w, v('conn'))}'s receive buffer.${waiting(w)}`;
      return ran(goTo(r.world, t.id, 15, { data: { type: 'bytes', value: r.value } }), text);
    }
    case 15:
      return truthy(v('data'))
        ? ran(goTo(w, t.id, 17), `data is ${show(w, v('data'))}, which is not empty, so the loop goes on to send it back.`)
        : ran(goTo(w, t.id, 16), "data is b'', which is false: the client is done.");
    case 16:
      return ran(leaveWith(w, t.id, 11), 'break leaves the inner loop, and with it the with block.');
    case 17:
      return sendallStep(w, t, CODE, v('conn'), bytesOf(v('data')), 13);
    default:
      throw new RangeError(`blocking-echo has no statement on line ${f.line}`);
  }
}

export const blockingEcho: Program = {
  id: 'blocking-echo',
  title: 'Blocking echo server',
  description:
    'The classic echo server: accept() one client, recv() and sendall() until it closes, then accept() the next. While it waits in recv() for one client, the others sit in the accept queue.',
  file: CODE.file,
  role: 'server',
  source: SOURCE,
  exec,
};
