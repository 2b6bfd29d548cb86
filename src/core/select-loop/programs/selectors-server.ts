import type { Code } from '../interpreter.ts';
import {
  callFunction,
  goTo,
  lookup,
  loopTurn,
  newNamespace,
  nsField,
  peek,
  print,
  raiseIn,
  returnFromFunction,
  setNsField,
  top,
} from '../interpreter.ts';
import type { Outcome, Program } from '../program.ts';
import { blocked, ran } from '../program.ts';
import type { PyValue } from '../py-value.ts';
import { NONE, bytes, bytesLiteral, int, list, opaque, str, truthy } from '../py-value.ts';
import {
  SERVER_ADDRESS,
  fdOf,
  pyAccept,
  pyBind,
  pyClose,
  pyListen,
  pyRecv,
  pySend,
  pySetBlocking,
  pySocket,
} from '../python-socket.ts';
import { readyList, readyText, selCreate, selRegister, selSelect, selUnregister } from '../python-selectors.ts';
import { EVENT_READ, EVENT_WRITE, maskText } from '../selector.ts';
import { peerOf, plural, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { assignConstant, bytesOf, defLine, importLine, intOf, keyField } from './shared-lines.ts';

const SOURCE = [
  'import selectors',
  'import socket',
  'import types',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'sel = selectors.DefaultSelector()',
  '',
  '',
  'def accept_wrapper(sock):',
  '    conn, addr = sock.accept()',
  '    print(f"Accepted connection from {addr}")',
  '    conn.setblocking(False)',
  '    data = types.SimpleNamespace(addr=addr, inb=b"", outb=b"")',
  '    events = selectors.EVENT_READ | selectors.EVENT_WRITE',
  '    sel.register(conn, events, data=data)',
  '',
  '',
  'def service_connection(key, mask):',
  '    sock = key.fileobj',
  '    data = key.data',
  '    if mask & selectors.EVENT_READ:',
  '        recv_data = sock.recv(1024)',
  '        if recv_data:',
  '            data.outb += recv_data',
  '        else:',
  '            print(f"Closing connection to {data.addr}")',
  '            sel.unregister(sock)',
  '            sock.close()',
  '            return',
  '    if mask & selectors.EVENT_WRITE:',
  '        if data.outb:',
  '            sent = sock.send(data.outb)',
  '            data.outb = data.outb[sent:]',
  '',
  '',
  'lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  'lsock.bind((HOST, PORT))',
  'lsock.listen()',
  'print(f"Listening on {(HOST, PORT)}")',
  'lsock.setblocking(False)',
  'sel.register(lsock, selectors.EVENT_READ, data=None)',
  '',
  'while True:',
  '    events = sel.select(timeout=None)',
  '    for key, mask in events:',
  '        if key.data is None:',
  '            accept_wrapper(key.fileobj)',
  '        else:',
  '            service_connection(key, mask)',
] as const;

const CODE: Code = { file: 'multiconn_server.py', source: SOURCE };

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  const outb = (): string => bytesOf(nsField(w, v('data'), 'outb'));
  switch (f.line) {
    case 1:
      return importLine(w, t, 2, 'selectors');
    case 2:
      return importLine(w, t, 3, 'socket');
    case 3:
      return importLine(w, t, 5, 'types');
    case 5:
      return assignConstant(w, t, 6, 'HOST', str('127.0.0.1'), 'the loopback address');
    case 6:
      return assignConstant(w, t, 8, 'PORT', int(SERVER_ADDRESS.port), 'the port clients connect to');
    case 8:
      return ran(
        goTo(selCreate(w), t.id, 11, { sel: opaque('<selectors.EpollSelector object>') }),
        'DefaultSelector() picks the best mechanism the platform has: an EpollSelector on Linux. It starts with nothing registered.',
      );
    case 11:
      return defLine(w, t, 20, 'accept_wrapper', 'accepts a connection and registers it');
    case 20:
      return defLine(w, t, 38, 'service_connection', 'reads or writes one ready connection');
    case 38: {
      const r = pySocket(w);
      return ran(
        goTo(r.world, t.id, 39, { lsock: r.value }),
        `socket.socket() asks the kernel for a TCP socket and gets fd ${r.fd}.`,
      );
    }
    case 39:
      return ran(
        goTo(pyBind(w, v('lsock'), SERVER_ADDRESS), t.id, 40),
        `bind() gives fd ${fdOf(w, v('lsock'))} the address 127.0.0.1:65432.`,
      );
    case 40:
      return ran(
        goTo(pyListen(w, v('lsock')), t.id, 41),
        `listen() makes fd ${fdOf(w, v('lsock'))} a listening socket; the kernel now queues incoming connections by itself.`,
      );
    case 41: {
      const line = `Listening on ('127.0.0.1', ${SERVER_ADDRESS.port})`;
      return ran(goTo(print(w, line), t.id, 42), `Prints "${line}".`);
    }
    case 42:
      return ran(
        goTo(pySetBlocking(w, v('lsock'), false), t.id, 43),
        `setblocking(False) on fd ${fdOf(w, v('lsock'))}: the program will call accept() only when select() says a connection is waiting, and it must never block there.`,
      );
    case 43:
      return ran(
        goTo(selRegister(w, v('lsock'), EVENT_READ, NONE), t.id, 45),
        `sel.register() watches fd ${fdOf(w, v('lsock'))} for EVENT_READ, which on a listening socket means "a connection is waiting". data=None marks it as the listener.`,
      );
    case 45: {
      const turn = loopTurn(w);
      const note = turn.idle
        ? ` The last turn did nothing useful (${plural(turn.world.counters.wastedPasses, 'wasted turn')} so far): every connection is registered for EVENT_WRITE, and a socket with room in its send buffer is always writable, so select() keeps returning at once.`
        : '';
      return ran(goTo(turn.world, t.id, 46), `while True: the event loop.${note}`);
    }
    case 46: {
      const r = selSelect(w);
      if (r.kind === 'blocked') return blocked(r.on);
      const { value, ready } = r;
      return ran(
        goTo(r.world, t.id, 47, { events: value, $todo: value }),
        `select() returns ${readyList(ready)}: ${readyText(r.world, ready)}.`,
      );
    }
    case 47: {
      const todo = peek(w, t.id, '$todo') ?? list([]);
      const [next, ...rest] = todo.type === 'list' ? todo.items : [];
      if (next === undefined || next.type !== 'tuple')
        return ran(
          goTo(w, t.id, 45, { $todo: NONE }),
          'for key, mask in events: every ready key has been handled; back to select().',
        );
      const [key = NONE, mask = NONE] = next.items;
      return ran(
        goTo(w, t.id, 48, { key, mask, $todo: list(rest) }),
        `for key, mask in events: next is fd ${key.type === 'key' ? key.fd : '?'} with mask ${intOf(mask)} (${maskText(intOf(mask))}).`,
      );
    }
    case 48:
      return keyField(v('key'), 'data').type === 'None'
        ? ran(goTo(w, t.id, 49), 'key.data is None: this is the listening socket, so a connection is waiting to be accepted.')
        : ran(
            goTo(w, t.id, 51),
            `key.data is not None: this is a client connection (${peerOf(w, keyField(v('key'), 'fileobj'))}).`,
          );
    case 49:
      return ran(
        callFunction(w, t.id, 'accept_wrapper', 12, { sock: keyField(v('key'), 'fileobj') }, 47),
        'accept_wrapper(key.fileobj) is called with the listening socket.',
      );
    case 51:
      return ran(
        callFunction(w, t.id, 'service_connection', 21, { key: v('key'), mask: v('mask') }, 47),
        `service_connection(key, mask) is called for fd ${fdOf(w, keyField(v('key'), 'fileobj'))}.`,
      );
    case 12: {
      const r = pyAccept(w, v('sock'));
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised')
        return ran(
          raiseIn(r.world, t.id, CODE, r.error),
          'accept() raised BlockingIOError: no connection was waiting after all.',
        );
      const { conn, addr, socket } = r.value;
      return ran(
        goTo(r.world, t.id, 13, { conn, addr }),
        `accept() returns ${socket.peerName}'s connection as fd ${socket.fd}, without waiting: select() said one was queued.`,
      );
    }
    case 13: {
      const line = `Accepted connection from ${show(w, v('addr'))}`;
      return ran(goTo(print(w, line), t.id, 14), `Prints "${line}".`);
    }
    case 14:
      return ran(
        goTo(pySetBlocking(w, v('conn'), false), t.id, 15),
        `setblocking(False) on fd ${fdOf(w, v('conn'))}: the new socket is blocking, like every socket accept() returns, and one blocking call would stall every other client.`,
      );
    case 15: {
      const ns = newNamespace(w, { addr: v('addr'), inb: bytes(''), outb: bytes('') });
      return ran(
        goTo(ns.world, t.id, 16, { data: ns.value }),
        `data = SimpleNamespace(...): this connection's own state, ${show(ns.world, ns.value)}.`,
      );
    }
    case 16:
      return ran(
        goTo(w, t.id, 17, { events: int(EVENT_READ | EVENT_WRITE) }),
        'events = EVENT_READ | EVENT_WRITE = 3: wake for bytes to read and for room to write.',
      );
    case 17:
      return ran(
        returnFromFunction(selRegister(w, v('conn'), EVENT_READ | EVENT_WRITE, v('data')), t.id),
        `sel.register() watches fd ${fdOf(w, v('conn'))} for EVENT_READ|EVENT_WRITE and keeps data with it; accept_wrapper returns.`,
      );
    case 21: {
      const sock = keyField(v('key'), 'fileobj');
      return ran(goTo(w, t.id, 22, { sock }), `sock = key.fileobj: the socket object, fd ${fdOf(w, sock)}.`);
    }
    case 22:
      return ran(
        goTo(w, t.id, 23, { data: keyField(v('key'), 'data') }),
        'data = key.data: the very namespace registered with this socket, so changes made through it stay with the connection.',
      );
    case 23:
      return intOf(v('mask')) & EVENT_READ
        ? ran(goTo(w, t.id, 24), `mask & EVENT_READ is ${intOf(v('mask')) & EVENT_READ}: there is something to read.`)
        : ran(goTo(w, t.id, 32), 'mask & EVENT_READ is 0: nothing to read this time.');
    case 24: {
      const r = pyRecv(w, v('sock'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised BlockingIOError.');
      const text =
        r.value === ''
          ? `recv(1024) returns b'': ${peerOf(w, v('sock'))} has closed and every byte has been read.`
          : `recv(1024) returns ${bytesLiteral(r.value)} at once: select() said fd ${fdOf(w, v('sock'))} was readable.`;
      return ran(goTo(r.world, t.id, 25, { recv_data: bytes(r.value) }), text);
    }
    case 25:
      return truthy(v('recv_data'))
        ? ran(goTo(w, t.id, 26), `recv_data is ${show(w, v('recv_data'))}: keep it for the echo.`)
        : ran(goTo(w, t.id, 28), "recv_data is b'': the client closed its end.");
    case 26: {
      const next = outb() + bytesOf(v('recv_data'));
      return ran(
        goTo(setNsField(w, v('data'), 'outb', bytes(next)), t.id, 32),
        `data.outb += recv_data: ${bytesLiteral(next)} now waits to be sent back.`,
      );
    }
    case 28: {
      const line = `Closing connection to ${show(w, nsField(w, v('data'), 'addr'))}`;
      return ran(goTo(print(w, line), t.id, 29), `Prints "${line}".`);
    }
    case 29:
      return ran(
        goTo(selUnregister(w, v('sock')), t.id, 30),
        `sel.unregister(sock): fd ${fdOf(w, v('sock'))} is no longer watched. It must happen before close(), while the fd is still valid.`,
      );
    case 30: {
      const fd = fdOf(w, v('sock'));
      return ran(
        goTo(pyClose(w, v('sock')), t.id, 31),
        `sock.close() releases fd ${fd}; the kernel sends ${peerOf(w, v('sock'))} a FIN after any bytes still queued.`,
      );
    }
    case 31:
      return ran(returnFromFunction(w, t.id), 'return: the socket is closed, so the EVENT_WRITE branch must not run.');
    case 32:
      return intOf(v('mask')) & EVENT_WRITE
        ? ran(goTo(w, t.id, 33), `mask & EVENT_WRITE is ${intOf(v('mask')) & EVENT_WRITE}: the send buffer has room.`)
        : ran(
            returnFromFunction(w, t.id),
            'mask & EVENT_WRITE is 0: the send buffer is full, so nothing is sent this time; service_connection returns.',
          );
    case 33:
      return outb().length > 0
        ? ran(goTo(w, t.id, 34), `data.outb is ${bytesLiteral(outb())}: something to send.`)
        : ran(
            returnFromFunction(w, t.id),
            "data.outb is b'': nothing to send, so this wake-up was for nothing; service_connection returns.",
          );
    case 34: {
      const pending = outb();
      const r = pySend(w, v('sock'), pending);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised')
        return ran(raiseIn(r.world, t.id, CODE, r.error), 'send() raised BlockingIOError: the send buffer had no room.');
      const text =
        r.value < pending.length
          ? `send() takes only ${r.value} of the ${pending.length} bytes: that is all the room the send buffer has. It returns the count and leaves the rest to the program.`
          : `send() takes all ${plural(r.value, 'byte')} and returns ${r.value}.`;
      return ran(goTo(r.world, t.id, 35, { sent: int(r.value) }), text);
    }
    case 35: {
      const rest = outb().slice(intOf(v('sent')));
      const text =
        rest.length > 0
          ? `data.outb = data.outb[sent:] keeps ${bytesLiteral(rest)} for the next time select() reports EVENT_WRITE.`
          : "data.outb = data.outb[sent:] leaves b'': everything has been handed to the kernel.";
      return ran(returnFromFunction(setNsField(w, v('data'), 'outb', bytes(rest)), t.id), text);
    }
    default:
      throw new RangeError(`selectors-server has no statement on line ${f.line}`);
  }
}

export const selectorsServer: Program = {
  id: 'selectors-server',
  title: 'selectors echo server',
  description:
    'One thread serves every client: select() says which sockets are ready, and the loop reads or writes only those. Each connection keeps its own buffers in a SimpleNamespace registered with the selector.',
  file: CODE.file,
  role: 'server',
  source: SOURCE,
  exec,
};
