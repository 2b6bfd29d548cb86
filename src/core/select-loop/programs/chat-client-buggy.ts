import type { Code } from '../interpreter.ts';
import { endThread, goTo, leaveWith, lookup, raiseIn, top } from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { bytes, bytesLiteral, int, str, truthy, utf8Encode } from '../py-value.ts';
import { SERVER_ADDRESS, fdOf, pyClose, pyConnect, pyRecv, pySocket } from '../python-socket.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { CHAT_SERVER, inputLine, printDecoded } from './chat-terminal.ts';
import { assignConstant, bytesOf, importLine, sendallStep, strOf } from './shared-lines.ts';

const SOURCE = [
  'import socket',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:',
  '    sock.connect((HOST, PORT))',
  '    while True:',
  '        msg = input("> ")',
  '        sock.sendall(msg.encode())',
  '        data = sock.recv(1024)',
  '        if not data:',
  '            break',
  '        print(data.decode())',
] as const;

const CODE: Code = { file: 'chat_client.py', source: SOURCE };

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  switch (f.line) {
    case 1:
      return importLine(w, t, 3, 'socket');
    case 3:
      return assignConstant(w, t, 4, 'HOST', str('127.0.0.1'), 'where the chat server runs');
    case 4:
      return assignConstant(w, t, 6, 'PORT', int(SERVER_ADDRESS.port), 'the chat server’s port');
    case 6: {
      if (f.exiting) {
        const fd = fdOf(w, v('sock'));
        return ran(endThread(pyClose(w, v('sock')), t.id), `Leaving the with block closes fd ${fd}. The program ends.`);
      }
      const r = pySocket(w);
      return ran(
        goTo(r.world, t.id, 7, { sock: r.value }),
        `socket.socket() gets a TCP socket, fd ${r.fd}, closed when the with block ends.`,
      );
    }
    case 7:
      return ran(
        goTo(pyConnect(w, v('sock'), CHAT_SERVER), t.id, 8),
        `connect() does the three-way handshake with the chat server and returns once fd ${fdOf(w, v('sock'))} is connected.`,
      );
    case 8:
      return ran(
        goTo(w, t.id, 9),
        'while True: one loop does everything, in a fixed order: read the keyboard, send, receive, print.',
      );
    case 9:
      return inputLine(w, t, 10);
    case 10:
      return sendallStep(w, t, CODE, v('sock'), utf8Encode(strOf(v('msg'))), 11);
    case 11: {
      const r = pyRecv(w, v('sock'), 1024);
      if (r.kind === 'blocked') return blocked(`${r.on}. Until something arrives the user cannot type: input() is not running`);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised.');
      const text =
        r.value === ''
          ? "recv(1024) returns b'': the chat server has closed the connection."
          : `recv(1024) returns ${bytesLiteral(r.value)}: whatever the others said since the last look, run together into one read. It was waiting in the receive buffer; only now, after our own send, does the program look.`;
      return ran(goTo(r.world, t.id, 12, { data: bytes(r.value) }), text);
    }
    case 12:
      return truthy(v('data'))
        ? ran(goTo(w, t.id, 14), `data is ${bytesLiteral(bytesOf(v('data')))}.`)
        : ran(goTo(w, t.id, 13), "data is b'': the server is gone.");
    case 13:
      return ran(leaveWith(w, t.id, 6), 'break leaves the loop and the with block.');
    case 14:
      return printDecoded(
        w,
        t,
        CODE,
        bytesOf(v('data')),
        8,
        'Then back to input(): messages that arrive from now on wait unseen until the user sends something.',
      );
    default:
      throw new RangeError(`chat-client-buggy has no statement on line ${f.line}`);
  }
}

export const chatClientBuggy: Program = {
  id: 'chat-client-buggy',
  title: 'Chat client (single thread)',
  description:
    "One thread does everything in turn: input(), sendall(), one recv(), print. While input() waits for the keyboard nobody reads the socket, so other people's messages only show up after you send one.",
  file: CODE.file,
  role: 'client',
  source: SOURCE,
  exec,
};
