import { describeEvent, describeSegment } from '../viz/describe-event.ts';
import { part } from './dom.ts';
import { mountLiveDiagram } from './live-diagram.ts';
import { SANDBOX_EVENTS, type SandboxEventsDetail } from './sandbox-events.ts';
import { EventStore, type SessionRecord } from './event-store.ts';
import { describeClose, SandboxConnection, type ConnectionStatus } from './sandbox-connection.ts';
import { Shell } from './shell.ts';
import { createXterm } from './xterm-terminal.ts';

/** Log lines kept in the page; the store keeps more for the diagram. */
const MAX_LOG_LINES = 2000;

function nearBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 40;
}

/**
 * Brings one EchoLab to life: a sandbox session, its terminal, the live sequence diagram, the
 * detail panel and the event log. Called once, when the lab scrolls into view.
 */
export function mountEchoLab(root: HTMLElement): void {
  const statusText = part(root, 'status');
  const address = part(root, 'address');
  const copy = part<HTMLButtonElement>(root, 'copy');
  const diagramBox = part(root, 'diagram');
  const detail = part(root, 'detail');
  const log = part<HTMLOListElement>(root, 'log');
  const logCount = part(root, 'log-count');
  const captureNote = part(root, 'capture');
  const terminalHost = part(root, 'terminal');
  terminalHost.textContent = '';

  const store = new EventStore();
  const diagram = mountLiveDiagram(diagramBox, detail, () => store);
  let echoAddress: string | undefined;

  const terminal = createXterm(terminalHost, 'Sandbox terminal: type help for commands');
  const connection: SandboxConnection = new SandboxConnection(SandboxConnection.urlFor(location), {
    onEvents: (events) => {
      store.add(events);
      shell.events(events);
      // Other widgets on the page (a stepper driven by this session's real traffic) listen here.
      document.dispatchEvent(new CustomEvent<SandboxEventsDetail>(SANDBOX_EVENTS, { detail: { events, reset: false } }));
    },
    onSegments: (segments) => store.addSegments(segments),
    onCapture: (capture) => {
      root.dataset.capture = capture.state;
      captureNote.textContent = capture.message;
    },
    onReceived: (socket, data) => shell.received(socket, data),
    onStatus: (status) => {
      showStatus(status);
      shell.status(status);
    },
    onNotice: (message) => terminal.write(`\x1b[31m[sandbox: ${message}]\x1b[0m\r\n`),
  });
  const shell = new Shell(terminal, connection);
  terminal.onData((data) => shell.input(data));

  function showStatus(status: ConnectionStatus): void {
    root.dataset.state = status.state;
    if (status.state === 'connecting') {
      // A new sandbox is a new session: its events start again from zero.
      store.clear();
      document.dispatchEvent(new CustomEvent<SandboxEventsDetail>(SANDBOX_EVENTS, { detail: { events: [], reset: true } }));
      statusText.textContent = 'Connecting to the sandbox…';
      return;
    }
    if (status.state === 'closed') {
      statusText.textContent = `Sandbox ${describeClose(status.code, status.reason, status.refused)}. Type "reconnect" in the terminal for a new one.`;
      copy.hidden = true;
      return;
    }
    echoAddress = status.servers.find((server) => server.name === 'echo')?.address;
    statusText.textContent = 'Sandbox ready. Your own echo server is listening at';
    address.textContent = echoAddress ?? '';
    copy.hidden = echoAddress === undefined;
  }

  copy.addEventListener('click', () => {
    if (echoAddress === undefined) return;
    const [host, port] = [
      echoAddress.slice(0, echoAddress.lastIndexOf(':')),
      echoAddress.slice(echoAddress.lastIndexOf(':') + 1),
    ];
    const command = `nc ${host} ${port}`;
    navigator.clipboard.writeText(command).then(
      () => (copy.textContent = `Copied: ${command}`),
      () => (copy.textContent = `Copy failed — type: ${command}`),
    );
    setTimeout(() => (copy.textContent = 'Copy nc command'), 2500);
  });

  function appendLog(all: SessionRecord, added: SessionRecord): void {
    if (added.events.length === 0 && added.segments.length === 0) log.replaceChildren();
    const follow = nearBottom(log);
    const fragment = document.createDocumentFragment();
    const lines = [
      ...added.events.map((event) => ({ t: event.t, text: describeEvent(event) })),
      ...added.segments.map((segment) => ({ t: segment.t, text: describeSegment(segment) })),
    ].sort((a, b) => a.t - b.t);
    for (const line of lines) {
      const item = document.createElement('li');
      item.textContent = line.text;
      fragment.append(item);
    }
    log.append(fragment);
    while (log.childElementCount > MAX_LOG_LINES) log.firstElementChild?.remove();
    logCount.textContent = String(all.events.length + all.segments.length + store.dropped);
    if (follow) log.scrollTop = log.scrollHeight;
  }

  store.subscribe((all, added) => {
    diagram.draw(all);
    appendLog(all, added);
  });

  showStatus(connection.status);
  connection.open();
  shell.start();
  addEventListener('pagehide', () => connection.close());
}
