import type { Code } from '../interpreter.ts';
import {
  callFunction,
  goTo,
  leaveWith,
  lookup,
  peek,
  print,
  raiseIn,
  returnFromFunction,
  setGlobal,
  startThread,
  top,
} from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { NONE, bytes, bytesLiteral, int, list, str, truthy } from '../py-value.ts';
import { SERVER_ADDRESS, fdOf, pyAccept, pyBind, pyClose, pyListen, pyRecv, pySocket } from '../python-socket.ts';
import { peerOf, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { assignConstant, bytesOf, defLine, importLine, sendallStep, listItems } from './shared-lines.ts';

const SOURCE = [
  'import socket',
  'import threading',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'clients = []',
  'clients_lock = threading.Lock()',
  '',
  '',
  'def broadcast(message, sender):',
  '    with clients_lock:',
  '        for client in clients:',
  '            if client is not sender:',
  '                client.sendall(message)',
  '',
  '',
  'def handle(conn, addr):',
  '    with conn:',
  '        while True:',
  '            data = conn.recv(1024)',
  '            if not data:',
  '                break',
  '            broadcast(data, conn)',
  '        with clients_lock:',
  '            clients.remove(conn)',
  '    print(f"{addr} disconnected")',
  '',
  '',
  'with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:',
  '    server.bind((HOST, PORT))',
  '    server.listen()',
  '    while True:',
  '        conn, addr = server.accept()',
  '        print(f"{addr} connected")',
  '        with clients_lock:',
  '            clients.append(conn)',
  '        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()',
] as const;

const CODE: Code = { file: 'chat_server.py', source: SOURCE };

function same(a: PyValue, b: PyValue): boolean {
  return a.type === 'socket' && b.type === 'socket' && a.id === b.id;
}

/** `with clients_lock:` on entry: take the lock, or wait while another thread holds it. */
function acquire(w: LoopWorld, t: LoopThread, next: number): Outcome {
  const lock = w.globals['clients_lock'];
  if (lock?.type !== 'lock') throw new ReferenceError("name 'clients_lock' is not defined");
  if (lock.holder !== undefined && lock.holder !== t.id) {
    const holder = w.threads.find((x) => x.id === lock.holder)?.name ?? 'another thread';
    return blocked(`with clients_lock: the lock is held by ${holder}`);
  }
  return ran(
    goTo(setGlobal(w, 'clients_lock', { type: 'lock', holder: t.id }), t.id, next),
    `with clients_lock: ${t.name} takes the lock, so no other thread can change or walk the list until it lets go.`,
  );
}

function release(w: LoopWorld): LoopWorld {
  return setGlobal(w, 'clients_lock', { type: 'lock', holder: undefined });
}

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  switch (f.line) {
    case 1:
      return importLine(w, t, 2, 'socket');
    case 2:
      return importLine(w, t, 4, 'threading');
    case 4:
      return assignConstant(w, t, 5, 'HOST', str('127.0.0.1'), 'the loopback address');
    case 5:
      return assignConstant(w, t, 7, 'PORT', int(SERVER_ADDRESS.port), 'the port chat clients connect to');
    case 7:
      return ran(goTo(w, t.id, 8, { clients: list([]) }), 'clients = []: every connected socket, shared by all threads.');
    case 8:
      return ran(
        goTo(w, t.id, 11, { clients_lock: { type: 'lock', holder: undefined } }),
        'threading.Lock(): one thread at a time may change or walk clients.',
      );
    case 11:
      return defLine(w, t, 18, 'broadcast', 'sends a message to every client but its sender');
    case 18:
      return defLine(w, t, 30, 'handle', 'serves one client in a thread of its own');
    case 30: {
      const r = pySocket(w);
      return ran(goTo(r.world, t.id, 31, { server: r.value }), `socket.socket() gets a TCP socket, fd ${r.fd}.`);
    }
    case 31:
      return ran(
        goTo(pyBind(w, v('server'), SERVER_ADDRESS), t.id, 32),
        `bind() gives fd ${fdOf(w, v('server'))} the address 127.0.0.1:65432.`,
      );
    case 32:
      return ran(goTo(pyListen(w, v('server')), t.id, 33), `listen() makes fd ${fdOf(w, v('server'))} a listening socket.`);
    case 33:
      return ran(goTo(w, t.id, 34), 'while True: the main thread does nothing but accept clients and start a thread for each.');
    case 34: {
      const r = pyAccept(w, v('server'));
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'accept() raised.');
      const { conn, addr, socket } = r.value;
      return ran(goTo(r.world, t.id, 35, { conn, addr }), `accept() returns ${socket.peerName}'s connection as fd ${socket.fd}.`);
    }
    case 35: {
      const line = `${show(w, v('addr'))} connected`;
      return ran(goTo(print(w, line), t.id, 36), `Prints "${line}".`);
    }
    case 36:
      if (f.exiting) return ran(goTo(release(w), t.id, 38), 'Leaving the with block releases clients_lock.');
      return acquire(w, t, 37);
    case 37:
      return ran(
        leaveWith(w, t.id, 36, { clients: list([...listItems(v('clients')), v('conn')]) }),
        `clients.append(conn): fd ${fdOf(w, v('conn'))} will get every broadcast from now on.`,
      );
    case 38: {
      const r = startThread(w, 'handle', 19, { conn: v('conn'), addr: v('addr') });
      return ran(
        goTo(r.world, t.id, 33),
        `threading.Thread(target=handle, ...).start() starts ${r.name} to serve fd ${fdOf(w, v('conn'))}; daemon=True lets the program exit without waiting for it.`,
      );
    }
    case 19: {
      if (f.exiting) {
        const fd = fdOf(w, v('conn'));
        return ran(
          goTo(pyClose(w, v('conn')), t.id, 27),
          `Leaving with conn closes it: fd ${fd} is released and ${peerOf(w, v('conn'))} gets a FIN.`,
        );
      }
      return ran(goTo(w, t.id, 20), `with conn: ${t.name} owns fd ${fdOf(w, v('conn'))} and closes it when it is done.`);
    }
    case 20:
      return ran(goTo(w, t.id, 21), `while True: read from ${peerOf(w, v('conn'))} until it leaves.`);
    case 21: {
      const r = pyRecv(w, v('conn'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised.');
      const text =
        r.value === ''
          ? `recv(1024) returns b'': ${peerOf(w, v('conn'))} has left.`
          : `recv(1024) returns ${bytesLiteral(r.value)} from ${peerOf(w, v('conn'))}. Only this thread was waiting on fd ${fdOf(w, v('conn'))}; the others keep waiting on theirs.`;
      return ran(goTo(r.world, t.id, 22, { data: bytes(r.value) }), text);
    }
    case 22:
      return truthy(v('data'))
        ? ran(goTo(w, t.id, 24), `data is ${show(w, v('data'))}: pass it on.`)
        : ran(goTo(w, t.id, 23), "data is b'': the client closed.");
    case 23:
      return ran(goTo(w, t.id, 25), 'break leaves the loop.');
    case 24:
      return ran(
        callFunction(w, t.id, 'broadcast', 12, { message: v('data'), sender: v('conn') }, 20),
        'broadcast(data, conn) is called in this thread.',
      );
    case 25:
      if (f.exiting) return ran(leaveWith(release(w), t.id, 19), 'Leaving the with block releases clients_lock.');
      return acquire(w, t, 26);
    case 26: {
      const rest = listItems(v('clients')).filter((c) => !same(c, v('conn')));
      return ran(
        leaveWith(setGlobal(w, 'clients', list(rest)), t.id, 25),
        `clients.remove(conn): no more broadcasts go to fd ${fdOf(w, v('conn'))}.`,
      );
    }
    case 27: {
      const line = `${show(w, v('addr'))} disconnected`;
      return ran(returnFromFunction(print(w, line), t.id), `Prints "${line}". handle returns, so ${t.name} ends.`);
    }
    case 12:
      if (f.exiting)
        return ran(returnFromFunction(release(w), t.id), 'Leaving the with block releases clients_lock; broadcast returns.');
      return acquire(w, t, 13);
    case 13: {
      const todo = peek(w, t.id, '$todo') ?? NONE;
      const queue = todo.type === 'list' ? todo.items : listItems(v('clients'));
      const [next, ...rest] = queue;
      if (next === undefined)
        return ran(leaveWith(w, t.id, 12, { $todo: NONE }), 'for client in clients: every client has had its turn.');
      return ran(
        goTo(w, t.id, 14, { client: next, $todo: list(rest) }),
        `for client in clients: next, fd ${fdOf(w, next)} (${peerOf(w, next)}).`,
      );
    }
    case 14:
      return same(v('client'), v('sender'))
        ? ran(goTo(w, t.id, 13), 'client is sender: nobody needs their own message back.')
        : ran(goTo(w, t.id, 15), `client is not sender: ${peerOf(w, v('client'))} gets the message.`);
    case 15:
      return sendallStep(w, t, CODE, v('client'), bytesOf(v('message')), 13);
    default:
      throw new RangeError(`chat-server has no statement on line ${f.line}`);
  }
}

export const chatServer: Program = {
  id: 'chat-server',
  title: 'Threaded chat server',
  description:
    'A thread per client: the main thread accepts, and each handler thread waits in its own recv() and broadcasts what arrives to everyone else with sendall(). A lock guards the shared list of clients.',
  file: CODE.file,
  role: 'server',
  source: SOURCE,
  exec,
};
