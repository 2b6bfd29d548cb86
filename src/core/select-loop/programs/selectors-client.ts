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
import { NONE, bytes, bytesLiteral, int, list, opaque, str, truthy, tuple } from '../py-value.ts';
import { SERVER_ADDRESS, fdOf, pyClose, pyConnectEx, pyRecv, pySend, pySetBlocking, pySocket } from '../python-socket.ts';
import {
  readyList,
  readyText,
  selClose,
  selCreate,
  selMapSize,
  selRegister,
  selSelect,
  selUnregister,
} from '../python-selectors.ts';
import { EVENT_READ, EVENT_WRITE, maskText } from '../selector.ts';
import { plural, show } from '../show.ts';
import type { LoopThread, LoopWorld } from '../world.ts';
import { assignConstant, bytesOf, defLine, importLine, intOf, keyField, listItems } from './shared-lines.ts';

const SOURCE = [
  'import selectors',
  'import socket',
  'import types',
  '',
  'HOST = "127.0.0.1"',
  'PORT = 65432',
  '',
  'sel = selectors.DefaultSelector()',
  'messages = [b"Message 1 from client.", b"Message 2 from client."]',
  '',
  '',
  'def start_connections(host, port, num_conns):',
  '    server_addr = (host, port)',
  '    for i in range(0, num_conns):',
  '        connid = i + 1',
  '        print(f"Starting connection {connid} to {server_addr}")',
  '        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  '        sock.setblocking(False)',
  '        sock.connect_ex(server_addr)',
  '        events = selectors.EVENT_READ | selectors.EVENT_WRITE',
  '        data = types.SimpleNamespace(',
  '            connid=connid,',
  '            msg_total=sum(len(m) for m in messages),',
  '            recv_total=0,',
  '            messages=messages.copy(),',
  '            outb=b"",',
  '        )',
  '        sel.register(sock, events, data=data)',
  '',
  '',
  'def service_connection(key, mask):',
  '    sock = key.fileobj',
  '    data = key.data',
  '    if mask & selectors.EVENT_READ:',
  '        recv_data = sock.recv(1024)',
  '        if recv_data:',
  '            print(f"Received {recv_data!r} from connection {data.connid}")',
  '            data.recv_total += len(recv_data)',
  '        if not recv_data or data.recv_total == data.msg_total:',
  '            print(f"Closing connection {data.connid}")',
  '            sel.unregister(sock)',
  '            sock.close()',
  '            return',
  '    if mask & selectors.EVENT_WRITE:',
  '        if not data.outb and data.messages:',
  '            data.outb = data.messages.pop(0)',
  '        if data.outb:',
  '            print(f"Sending {data.outb!r} to connection {data.connid}")',
  '            sent = sock.send(data.outb)',
  '            data.outb = data.outb[sent:]',
  '',
  '',
  'start_connections(HOST, PORT, 2)',
  '',
  'while True:',
  '    events = sel.select(timeout=None)',
  '    for key, mask in events:',
  '        service_connection(key, mask)',
  '    if not sel.get_map():',
  '        break',
  'sel.close()',
] as const;

const CODE: Code = { file: 'multiconn_client.py', source: SOURCE };

const MESSAGES = ['Message 1 from client.', 'Message 2 from client.'];

function exec(w: LoopWorld, t: LoopThread): Outcome {
  const f = top(t);
  const v = (name: string): PyValue => lookup(w, t.id, name);
  const field = (name: string): PyValue => nsField(w, v('data'), name);
  const connid = (): number => intOf(field('connid'));
  switch (f.line) {
    case 1:
      return importLine(w, t, 2, 'selectors');
    case 2:
      return importLine(w, t, 3, 'socket');
    case 3:
      return importLine(w, t, 5, 'types');
    case 5:
      return assignConstant(w, t, 6, 'HOST', str('127.0.0.1'), 'the echo server runs on this machine');
    case 6:
      return assignConstant(w, t, 8, 'PORT', int(SERVER_ADDRESS.port), 'the port it listens on');
    case 8:
      return ran(
        goTo(selCreate(w), t.id, 9, { sel: opaque('<selectors.EpollSelector object>') }),
        'DefaultSelector() gives an EpollSelector on Linux, with nothing registered yet.',
      );
    case 9: {
      const messages = list(MESSAGES.map((m) => bytes(m)));
      return ran(
        goTo(w, t.id, 12, { messages }),
        `messages: the two ${MESSAGES[0]?.length ?? 0}-byte messages each connection will send.`,
      );
    }
    case 12:
      return defLine(w, t, 31, 'start_connections', 'opens num_conns non-blocking connections');
    case 31:
      return defLine(w, t, 53, 'service_connection', 'reads or writes one ready connection');
    case 53:
      return ran(
        callFunction(w, t.id, 'start_connections', 13, { host: v('HOST'), port: v('PORT'), num_conns: int(2) }, 55),
        'start_connections(HOST, PORT, 2) is called: two connections to the same server.',
      );
    case 13:
      return ran(
        goTo(w, t.id, 14, { server_addr: tuple(v('host'), v('port')) }),
        `server_addr = ${show(w, tuple(v('host'), v('port')))}.`,
      );
    case 14: {
      const next = peek(w, t.id, '$i');
      const i = next?.type === 'int' ? next.value : 0;
      if (i >= intOf(v('num_conns')))
        return ran(
          returnFromFunction(w, t.id),
          `for i in range(0, num_conns): both connections are started, so start_connections returns.`,
        );
      return ran(goTo(w, t.id, 15, { i: int(i), $i: int(i + 1) }), `for i in range(0, num_conns): i = ${i}.`);
    }
    case 15:
      return ran(
        goTo(w, t.id, 16, { connid: int(intOf(v('i')) + 1) }),
        `connid = ${intOf(v('i')) + 1}: numbers the connections from 1 in messages.`,
      );
    case 16: {
      const line = `Starting connection ${intOf(v('connid'))} to ${show(w, v('server_addr'))}`;
      return ran(goTo(print(w, line), t.id, 17), `Prints "${line}".`);
    }
    case 17: {
      const r = pySocket(w);
      return ran(goTo(r.world, t.id, 18, { sock: r.value }), `socket.socket() gets a new TCP socket, fd ${r.fd}.`);
    }
    case 18:
      return ran(
        goTo(pySetBlocking(w, v('sock'), false), t.id, 19),
        `setblocking(False) on fd ${fdOf(w, v('sock'))}, before connecting, so connecting will not wait either.`,
      );
    case 19: {
      const name = `echo server #${intOf(v('connid'))}`;
      const r = pyConnectEx(w, v('sock'), { name, kind: 'echo-server', slowReader: false });
      return ran(
        goTo(r.world, t.id, 20),
        `connect_ex() sends the SYN and returns ${show(w, r.value)} (EINPROGRESS) at once instead of raising: the handshake finishes later, and fd ${fdOf(w, v('sock'))} turns writable when it does.`,
      );
    }
    case 20:
      return ran(goTo(w, t.id, 21, { events: int(EVENT_READ | EVENT_WRITE) }), 'events = EVENT_READ | EVENT_WRITE = 3.');
    case 21: {
      const copy = list(listItems(v('messages')));
      const total = listItems(v('messages')).reduce((n, m) => n + bytesOf(m).length, 0);
      const ns = newNamespace(w, {
        connid: v('connid'),
        msg_total: int(total),
        recv_total: int(0),
        messages: copy,
        outb: bytes(''),
      });
      return ran(
        goTo(ns.world, t.id, 28, { data: ns.value }),
        `data = SimpleNamespace(...): connection ${intOf(v('connid'))} expects ${plural(total, 'byte')} back in all and has its own copy of the messages.`,
      );
    }
    case 28:
      return ran(
        goTo(selRegister(w, v('sock'), EVENT_READ | EVENT_WRITE, v('data')), t.id, 14),
        `sel.register() watches fd ${fdOf(w, v('sock'))} for EVENT_READ|EVENT_WRITE with data attached. While the handshake is in flight the socket is neither readable nor writable.`,
      );
    case 55: {
      const turn = loopTurn(w);
      const note = turn.idle
        ? ` The last turn did nothing useful (${plural(turn.world.counters.wastedPasses, 'wasted turn')} so far): a connected socket with nothing to send is still writable.`
        : '';
      return ran(goTo(turn.world, t.id, 56), `while True: the event loop.${note}`);
    }
    case 56: {
      const r = selSelect(w);
      if (r.kind === 'blocked') return blocked(r.on);
      return ran(
        goTo(r.world, t.id, 57, { events: r.value, $todo: r.value }),
        `select() returns ${readyList(r.ready)}: ${readyText(r.world, r.ready)}.`,
      );
    }
    case 57: {
      const todo = peek(w, t.id, '$todo') ?? list([]);
      const [next, ...rest] = todo.type === 'list' ? todo.items : [];
      if (next === undefined || next.type !== 'tuple')
        return ran(goTo(w, t.id, 59, { $todo: NONE }), 'for key, mask in events: every ready key has been handled.');
      const [key = NONE, mask = NONE] = next.items;
      return ran(
        goTo(w, t.id, 58, { key, mask, $todo: list(rest) }),
        `for key, mask in events: next is fd ${key.type === 'key' ? key.fd : '?'} with ${maskText(intOf(mask))}.`,
      );
    }
    case 58:
      return ran(
        callFunction(w, t.id, 'service_connection', 32, { key: v('key'), mask: v('mask') }, 57),
        `service_connection(key, mask) is called for fd ${fdOf(w, keyField(v('key'), 'fileobj'))}.`,
      );
    case 59:
      return selMapSize(w) === 0
        ? ran(goTo(w, t.id, 60), 'sel.get_map() is empty: every connection has been closed and unregistered.')
        : ran(goTo(w, t.id, 55), `sel.get_map() still holds ${plural(selMapSize(w), 'socket')}, so the loop goes on.`);
    case 60:
      return ran(goTo(w, t.id, 61), 'break: nothing is left to wait for.');
    case 61:
      return ran(returnFromFunction(selClose(w), t.id), 'sel.close() releases the epoll instance. The program ends.');
    case 32: {
      const sock = keyField(v('key'), 'fileobj');
      return ran(goTo(w, t.id, 33, { sock }), `sock = key.fileobj: fd ${fdOf(w, sock)}.`);
    }
    case 33:
      return ran(
        goTo(w, t.id, 34, { data: keyField(v('key'), 'data') }),
        `data = key.data: the namespace of connection ${intOf(nsField(w, keyField(v('key'), 'data'), 'connid'))}.`,
      );
    case 34:
      return intOf(v('mask')) & EVENT_READ
        ? ran(goTo(w, t.id, 35), 'mask & EVENT_READ: there is something to read.')
        : ran(goTo(w, t.id, 44), 'mask & EVENT_READ is 0: nothing to read.');
    case 35: {
      const r = pyRecv(w, v('sock'), 1024);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'recv() raised BlockingIOError.');
      return ran(goTo(r.world, t.id, 36, { recv_data: bytes(r.value) }), `recv(1024) returns ${bytesLiteral(r.value)}.`);
    }
    case 36:
      return truthy(v('recv_data'))
        ? ran(goTo(w, t.id, 37), 'recv_data is not empty.')
        : ran(goTo(w, t.id, 39), "recv_data is b'': the server closed.");
    case 37: {
      const line = `Received ${bytesLiteral(bytesOf(v('recv_data')))} from connection ${connid()}`;
      return ran(goTo(print(w, line), t.id, 38), `Prints "${line}".`);
    }
    case 38: {
      const total = intOf(field('recv_total')) + bytesOf(v('recv_data')).length;
      return ran(
        goTo(setNsField(w, v('data'), 'recv_total', int(total)), t.id, 39),
        `data.recv_total is now ${total} of ${intOf(field('msg_total'))}.`,
      );
    }
    case 39: {
      const done = !truthy(v('recv_data')) || intOf(field('recv_total')) === intOf(field('msg_total'));
      return done
        ? ran(
            goTo(w, t.id, 40),
            `Every byte has come back (${intOf(field('recv_total'))} of ${intOf(field('msg_total'))}), so the connection is finished.`,
          )
        : ran(goTo(w, t.id, 44), `${intOf(field('recv_total'))} of ${intOf(field('msg_total'))} bytes so far: keep going.`);
    }
    case 40: {
      const line = `Closing connection ${connid()}`;
      return ran(goTo(print(w, line), t.id, 41), `Prints "${line}".`);
    }
    case 41:
      return ran(
        goTo(selUnregister(w, v('sock')), t.id, 42),
        `sel.unregister(sock): fd ${fdOf(w, v('sock'))} is no longer watched.`,
      );
    case 42: {
      const fd = fdOf(w, v('sock'));
      return ran(goTo(pyClose(w, v('sock')), t.id, 43), `sock.close() releases fd ${fd} and sends the server a FIN.`);
    }
    case 43:
      return ran(returnFromFunction(w, t.id), 'return: the socket is closed, so the EVENT_WRITE branch must not run.');
    case 44:
      return intOf(v('mask')) & EVENT_WRITE
        ? ran(goTo(w, t.id, 45), 'mask & EVENT_WRITE: the send buffer has room.')
        : ran(returnFromFunction(w, t.id), 'mask & EVENT_WRITE is 0; service_connection returns.');
    case 45: {
      const pending = bytesOf(field('outb'));
      const left = listItems(field('messages'));
      return pending.length === 0 && left.length > 0
        ? ran(
            goTo(w, t.id, 46),
            `data.outb is empty and ${plural(left.length, 'message')} ${left.length === 1 ? 'remains' : 'remain'}: take the next.`,
          )
        : ran(goTo(w, t.id, 47), pending.length > 0 ? 'data.outb still holds unsent bytes.' : 'No message is left to send.');
    }
    case 46: {
      const [first = bytes(''), ...rest] = listItems(field('messages'));
      const world = setNsField(setNsField(w, v('data'), 'messages', list(rest)), v('data'), 'outb', first);
      return ran(goTo(world, t.id, 47), `data.outb = data.messages.pop(0): ${show(w, first)}.`);
    }
    case 47:
      return truthy(field('outb'))
        ? ran(goTo(w, t.id, 48), 'data.outb has bytes to send.')
        : ran(
            returnFromFunction(w, t.id),
            "data.outb is b'': nothing to send, so this wake-up was for nothing; service_connection returns.",
          );
    case 48: {
      const line = `Sending ${bytesLiteral(bytesOf(field('outb')))} to connection ${connid()}`;
      return ran(goTo(print(w, line), t.id, 49), `Prints "${line}".`);
    }
    case 49: {
      const pending = bytesOf(field('outb'));
      const r = pySend(w, v('sock'), pending);
      if (r.kind === 'blocked') return blocked(r.on);
      if (r.kind === 'raised') return ran(raiseIn(r.world, t.id, CODE, r.error), 'send() raised BlockingIOError.');
      const text =
        r.value < pending.length
          ? `send() takes only ${r.value} of ${pending.length} bytes.`
          : `send() takes all ${plural(r.value, 'byte')}.`;
      return ran(goTo(r.world, t.id, 50, { sent: int(r.value) }), text);
    }
    case 50: {
      const rest = bytesOf(field('outb')).slice(intOf(v('sent')));
      return ran(
        returnFromFunction(setNsField(w, v('data'), 'outb', bytes(rest)), t.id),
        `data.outb = data.outb[sent:] leaves ${bytesLiteral(rest)}.`,
      );
    }
    default:
      throw new RangeError(`selectors-client has no statement on line ${f.line}`);
  }
}

export const selectorsClient: Program = {
  id: 'selectors-client',
  title: 'selectors client',
  description:
    'The multi-connection client: it opens two non-blocking connections, registers both for reading and writing, sends each message when a socket is writable and closes a connection once all its bytes have come back.',
  file: CODE.file,
  role: 'client',
  source: SOURCE,
  exec,
};
