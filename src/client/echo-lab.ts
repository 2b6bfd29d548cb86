import { describeClosure } from './close-cause.ts';
import { part } from './dom.ts';
import { mountEventLog } from './event-log.ts';
import { mountKeyBar } from './key-bar.ts';
import { mountLiveDiagram } from './live-diagram.ts';
import { SANDBOX_EVENTS, type SandboxEventsDetail } from './sandbox-events.ts';
import { EventStore } from './event-store.ts';
import { ReconnectSchedule, type RetryState } from './reconnect-schedule.ts';
import { SandboxConnection, type ConnectionStatus } from './sandbox-connection.ts';
import { Shell } from './shell.ts';
import { createXterm } from './xterm-terminal.ts';

/** How long the copy button shows what it copied before it reads "Copy nc command" again. */
const COPIED_MS = 2500;

function retrySentence(state: RetryState): string {
  switch (state.kind) {
    case 'idle':
      return '';
    case 'waiting':
      return `Trying again in ${Math.max(1, Math.round(state.delayMs / 1000))} s.`;
    case 'paused':
      return 'It tries again when this page is in view.';
  }
}

/**
 * Brings one EchoLab to life: a sandbox session, its terminal, the live sequence diagram, the
 * detail panel and the event log. Called once, when the lab scrolls into view.
 */
export function mountEchoLab(root: HTMLElement): void {
  const statusText = part(root, 'status');
  const address = part(root, 'address');
  const copy = part<HTMLButtonElement>(root, 'copy');
  const reconnect = part<HTMLButtonElement>(root, 'reconnect');
  const diagramBox = part(root, 'diagram');
  const detail = part(root, 'detail');
  const log = mountEventLog(part<HTMLOListElement>(root, 'log'), part(root, 'log-count'));
  const captureNote = part(root, 'capture');
  const terminalHost = part(root, 'terminal');
  terminalHost.textContent = '';

  const store = new EventStore();
  const diagram = mountLiveDiagram(diagramBox, detail, () => store);
  let echoAddress: string | undefined;
  let closedSentence = '';
  let retryState: RetryState = { kind: 'idle' };

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
      if (status.state === 'open') retry.opened();
      if (status.state === 'closed') retry.lost();
    },
    onNotice: (message) => terminal.write(`\x1b[31m[sandbox: ${message}]\x1b[0m\r\n`),
  });
  const retry = new ReconnectSchedule({
    open: () => connection.open(),
    timers: { set: (run, ms) => window.setTimeout(run, ms), clear: (handle) => window.clearTimeout(handle) },
    random: Math.random,
    visible: () => document.visibilityState === 'visible',
    onChange: (state) => {
      retryState = state;
      if (connection.status.state === 'closed') showClosed();
    },
  });
  // `reconnect` typed in the terminal is the Reconnect button: it also cancels the pending wait.
  const shell = new Shell(terminal, {
    request: (message, sandbox) => connection.request(message, sandbox),
    open: () => retry.now(),
    get status() {
      return connection.status;
    },
  });
  terminal.onData((data) => shell.input(data));
  mountKeyBar(part(root, 'keys'), (data) => shell.input(data), () => terminal.focus());

  function showClosed(): void {
    statusText.textContent = [closedSentence, retrySentence(retryState)].filter((text) => text !== '').join(' ');
  }

  function showStatus(status: ConnectionStatus): void {
    root.dataset.state = status.state;
    // The button stays through the tries (a try must not take it from under a learner's finger or
    // focus) and goes once a sandbox is open; focus must not go with it, to nowhere.
    if (status.state === 'closed') reconnect.hidden = false;
    if (status.state === 'open') {
      if (document.activeElement === reconnect) terminal.focus();
      reconnect.hidden = true;
    }
    if (status.state !== 'open') {
      echoAddress = undefined;
      address.textContent = '';
      showCopy(undefined);
    }
    if (status.state === 'connecting') {
      statusText.textContent = 'Connecting to the sandbox…';
      return;
    }
    if (status.state === 'closed') {
      // A failed retry says only that the server cannot be reached; why the sandbox went away in
      // the first place stays the news until a sandbox opens again.
      if (status.reached || status.refused !== undefined || closedSentence === '') closedSentence = describeClosure(status);
      showClosed();
      return;
    }
    closedSentence = '';
    // A new sandbox is a new session: its events start again from zero. The old one's stay in view
    // until then, for a learner to read while the lab reconnects.
    store.clear();
    log.reset();
    document.dispatchEvent(new CustomEvent<SandboxEventsDetail>(SANDBOX_EVENTS, { detail: { events: [], reset: true } }));
    echoAddress = status.servers.find((server) => server.name === 'echo')?.address;
    statusText.textContent = 'Sandbox ready. Your own echo server is listening at';
    address.textContent = echoAddress ?? '';
    copy.hidden = echoAddress === undefined;
  }

  let copiedTimer: number | undefined;
  function showCopy(copied: string | undefined): void {
    window.clearTimeout(copiedTimer);
    copy.textContent = copied ?? 'Copy nc command';
    if (copied !== undefined) copiedTimer = window.setTimeout(() => showCopy(undefined), COPIED_MS);
    if (echoAddress === undefined) copy.hidden = true;
  }

  copy.addEventListener('click', () => {
    if (echoAddress === undefined) return;
    const separator = echoAddress.lastIndexOf(':');
    const command = `nc ${echoAddress.slice(0, separator)} ${echoAddress.slice(separator + 1)}`;
    navigator.clipboard.writeText(command).then(
      () => showCopy(`Copied: ${command}`),
      () => showCopy(`Copy failed — type: ${command}`),
    );
  });

  reconnect.addEventListener('click', () => retry.now());
  document.addEventListener('visibilitychange', () => retry.visibilityChanged());

  store.subscribe((all, added) => {
    diagram.draw(all);
    log.add(added.events, added.segments);
  });

  showStatus(connection.status);
  connection.open();
  shell.start();
  addEventListener('pagehide', () => {
    retry.stop();
    connection.close();
  });
  // Back from the back-forward cache: the sandbox was closed on the way out.
  addEventListener('pageshow', (event) => {
    if (event.persisted) retry.now();
  });
}
