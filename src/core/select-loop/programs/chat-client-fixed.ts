import type { Code } from '../interpreter.ts';
import { goTo, lookup, raiseIn, returnFromFunction, startThread, top } from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { bytes, bytesLiteral, int, str, truthy, utf8Encode } from '../py-value.ts';
import { SERVER_ADDRESS, fdOf, pyConnect, pyRecv, pySocket } from '../python-socket.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { CHAT_SERVER, inputLine, printDecoded } from './chat-terminal.ts';
import { assignConstant, bytesOf, defLine, importLine, sendallStep, strOf } from './shared-lines.ts';

const SOURCE = [
  'import socket',
  'import threading',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  '',
  'def receive(sock):',
  '    while True:',
  '        data = sock.recv(1024)',
  '        if not data:',
  '            break',
  '        print(data.decode())',
  '',
  '',
  'with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:',
  '    sock.connect((HOST, PORT))',
  '    threading.Thread(target=receive, args=(sock,), daemon=True).start()',
  '    while True:',
  '        msg = input("> ")',
  '        sock.sendall(msg.encode())',
] as const;

const CODE: Code = { file: 'chat_client.py', source: SOURCE };

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  switch (f.line) {
    case 1:
      return importLine(w, t, 2, 'socket');
    case 2:
      return importLine(w, t, 4, 'threading');
    case 4:
      return assignConstant(w, t, 5, 'HOST', str('127.0.0.1'), 'where the chat server runs');
    case 5:
      return assignConstant(w, t, 8, 'PORT', int(SERVER_ADDRESS.port), 'the chat server’s port');
    case 8:
      return defLine(w, t, 16, 'receive', 'prints whatever arrives on the socket, for as long as it stays open');
    case 16: {
      const r = pySocket(w);
      return ran(goTo(r.world, t.id, 17, { sock: r.value }), `socket.socket() gets a TCP socket, fd ${r.fd}.`);
    }
    case 17:
      return ran(
        goTo(pyConnect(w, v('sock'), CHAT_SERVER), t.id, 18),
        `connect() does the three-way handshake with the chat server and returns once fd ${fdOf(w, v('sock'))} is connected.`,
      );
    case 18: {
      const r = startThread(w, 'receive', 9, { sock: v('sock') });
      return ran(
        goTo(r.world, t.id, 19),
        `threading.Thread(target=receive, ...).start() starts ${r.name}: from now on one thread waits on the socket while the main thread waits on the keyboard. daemon=True: it will not keep the program alive.`,
      );
    }
    case 19:
      return ran(goTo(w, t.id, 20), 'while True: the main thread only reads the keyboard and sends.');
    case 20:
      return inputLine(w, t, 21);
    case 21:
      return sendallStep(w, t, CODE, v('sock'), utf8Encode(strOf(v('msg'))), 19);
    case 9:
      return ran(goTo(w, t.id, 10), `while True: ${t.name} only ever reads the socket.`);
    case 10: {
      const r = pyRecv(w, v('sock'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised.');
      const text =
        r.value === ''
          ? "recv(1024) returns b'': the chat server has closed the connection."
          : `recv(1024) returns ${bytesLiteral(r.value)} as soon as it arrives, whatever the main thread is doing.`;
      return ran(goTo(r.world, t.id, 11, { data: bytes(r.value) }), text);
    }
    case 11:
      return truthy(v('data'))
        ? ran(goTo(w, t.id, 13), `data is ${bytesLiteral(bytesOf(v('data')))}.`)
        : ran(goTo(w, t.id, 12), "data is b'': the server is gone.");
    case 12:
      return ran(
        returnFromFunction(w, t.id),
        `break: receive returns and ${t.name} ends. The main thread does not notice until it sends.`,
      );
    case 13:
      return printDecoded(w, t, CODE, bytesOf(v('data')), 9, 'The message shows up while the user may still be at the prompt.');
    default:
      throw new RangeError(`chat-client-fixed has no statement on line ${f.line}`);
  }
}

export const chatClientFixed: Program = {
  id: 'chat-client-fixed',
  title: 'Chat client with a receiving thread',
  description:
    'The fix: a second thread does nothing but recv() and print, so messages appear as they arrive while the main thread waits at input().',
  file: CODE.file,
  role: 'client',
  source: SOURCE,
  exec,
};
