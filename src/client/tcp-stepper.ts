import { KIND_LABELS, predictNext, scenarioById, utf8Text, type Segment, type World } from '../core/tcp/index.ts';
import { mountSequenceDiagram, sequenceDiagram } from '../viz/sequence-diagram.ts';
import { rowOf } from '../viz/sequence-focus.ts';
import type { Arrow, Mark } from '../viz/sequence-model.ts';
import { mountStateDiagram, stateDiagram, type StateDiagramModel } from '../viz/state-diagram.ts';
import type { SequenceModel } from '../viz/sequence-model.ts';
import { buildTcpSequenceModel, segmentText } from '../viz/tcp-sequence-model.ts';
import { bindDiagramFocus } from './diagram-focus.ts';
import { element, part } from './dom.ts';
import { bindCopyLink, learnerActed, updateQuery } from './permalink.ts';
import { bindStepperControls, predictingDriver } from './stepper-controls.ts';
import { buildRun, defaultSpec, intervene, readPermalink, SYN_SCHEDULES, writePermalink, type RunSpec } from './tcp-run.ts';

/** Tall rows: segment labels carry a second line of options. */
const ROW_HEIGHT = 46;

export function formatSimTime(t: number): string {
  return t >= 10_000_000 ? `${(t / 1_000_000).toFixed(2)} s` : `${(t / 1000).toFixed(1)} ms`;
}

/** The header fields of a segment as a table, the way a packet dissector lists them. */
function segmentTable(world: World, segment: Segment, absolute: boolean): HTMLTableElement {
  const table = element('table', undefined, 'segment-fields');
  const relative = segmentText(world, segment, false).split('\n')[0] ?? '';
  const pick = (name: string) => new RegExp(`${name}=(\\d+)`).exec(relative)?.[1];
  const options = segment.options;
  const rows: [string, string][] = [
    ['Source port', String(segment.srcPort)],
    ['Destination port', String(segment.dstPort)],
    ['Sequence number', absolute ? String(segment.seq) : `${pick('Seq') ?? '?'} (relative) · ${segment.seq} (raw)`],
    [
      'Acknowledgment number',
      segment.flags.ACK
        ? absolute
          ? String(segment.ack)
          : `${pick('Ack') ?? '?'} (relative) · ${segment.ack} (raw)`
        : '— (ACK flag not set)',
    ],
    ['Flags', (['SYN', 'ACK', 'FIN', 'RST', 'PSH'] as const).filter((flag) => segment.flags[flag]).join(', ') || 'none'],
    ['Window (raw field)', String(segment.window)],
    ['MSS option', options.mss === undefined ? '—' : String(options.mss)],
    [
      'Window scale option',
      options.windowScale === undefined ? '—' : `shift ${options.windowScale} (×${2 ** options.windowScale})`,
    ],
    ['SACK permitted', options.sackPermitted ? 'yes' : '—'],
    [
      'Timestamps',
      options.timestamps === undefined ? '—' : `TSval ${options.timestamps.tsval}, TSecr ${options.timestamps.tsecr}`,
    ],
    ['Payload length', `${segment.len} bytes`],
  ];
  if (segment.len > 0)
    rows.push(['Payload', JSON.stringify(segment.payload.length > 64 ? `${utf8Text(segment.payload.slice(0, 64))}…` : utf8Text(segment.payload))]);
  for (const [name, value] of rows) {
    const row = table.insertRow();
    row.append(element('th', name), element('td', value));
  }
  return table;
}

function states(world: World): StateDiagramModel {
  const event = world.event;
  const transition = 'transition' in event ? event.transition : undefined;
  return {
    client: world.clients.map((client) => client.endpoint.state),
    server: [world.server.listener.socket.state, ...world.server.listener.connections.map((connection) => connection.state)],
    taken:
      transition !== undefined && 'host' in event ? { hops: transition.hops, side: event.host.side } : undefined,
  };
}

function describeStates(world: World): string {
  const clients = world.clients.map((client) => `${client.name}: ${client.endpoint.state}`).join('; ');
  const listener = world.server.listener;
  const connections = listener.connections.map((connection) => `connection from :${connection.remotePort} ${connection.state}`);
  const socket = listener.socket.remotePort === 0 ? 'listening socket' : 'socket (it listened, then opened actively)';
  const server = `${world.server.name}: ${socket} ${listener.socket.state}${connections.length > 0 ? `, ${connections.join(', ')}` : ''}`;
  const model = states(world);
  const taken =
    model.taken === undefined
      ? ''
      : ` This step the ${model.taken.side} moved ${[model.taken.hops[0]?.from, ...model.taken.hops.map((hop) => hop.to)].join(' → ')}.`;
  const queues = ` SYN queue ${listener.synQueue.length}, accept queue ${listener.acceptQueue.length} of ${listener.backlog + 1} (backlog ${listener.backlog} + 1, as on Linux).`;
  return `${clients}. ${server}.${queues}${taken}`;
}

/** Brings one <tcp-stepper> to life: the model, both diagrams, the controls and the permalink. */
export function mountTcpStepper(root: HTMLElement): void {
  const key = root.dataset.key ?? 'tcp';
  const fallback = root.dataset.scenario ?? 'handshake';
  const scenarioSelect = part<HTMLSelectElement>(root, 'scenario');
  const description = part(root, 'description');
  const latency = part<HTMLSelectElement>(root, 'latency');
  const loss = part<HTMLSelectElement>(root, 'loss');
  const seed = part<HTMLInputElement>(root, 'seed');
  const syn = part<HTMLSelectElement>(root, 'syn');
  const drop = part<HTMLButtonElement>(root, 'drop');
  const learner = part<HTMLInputElement>(root, 'learner');
  const absoluteBox = part<HTMLInputElement>(root, 'absolute');
  const predictBox = part<HTMLInputElement>(root, 'predict');
  const explain = part(root, 'explain');
  const predictPanel = part(root, 'predict-panel');
  const inflight = part(root, 'inflight');
  const sequenceBox = part(root, 'sequence');
  const statesText = part(root, 'states');
  const detail = part(root, 'detail');
  const link = part<HTMLButtonElement>(root, 'link');
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const sequence = mountSequenceDiagram(sequenceBox, 'Sequence diagram of the simulated connection');
  const fsm = mountStateDiagram(part(root, 'fsm'), 'TCP state diagram with the current states lit');

  const initial = readPermalink(new URLSearchParams(location.search), key, fallback);
  let spec: RunSpec = initial.spec;
  let absolute = initial.absolute;
  let worlds = buildRun(spec);
  let cursor = Math.min(initial.step, worlds.length - 1);
  let selected: Arrow | Mark | undefined;
  let feedback: HTMLElement | undefined;

  const world = () => worlds[cursor] as World;

  function syncInputs(): void {
    scenarioSelect.value = spec.scenario;
    description.textContent = scenarioById(spec.scenario)?.description ?? '';
    latency.value = String(spec.latencyMs);
    loss.value = String(spec.lossPct);
    seed.value = String(spec.seed);
    syn.value = spec.synBackoff;
    learner.checked = spec.learner;
    absoluteBox.checked = absolute;
  }

  const acted = learnerActed(root);

  function saveLink(): void {
    if (acted()) updateQuery(key, (params) => writePermalink(params, key, { spec, step: cursor, absolute }));
  }

  /** A segment's header fields; for a mark, what happened at its step and why. */
  function showDetail(item: Arrow | Mark): void {
    selected = item;
    detail.hidden = false;
    if ('segment' in item && item.segment !== undefined) {
      const where = item.lost ? 'lost on the way' : item.inFlight ? 'still in flight' : `arrived at step ${item.endRow}`;
      detail.replaceChildren(
        element('p', `${item.description.split(':')[0]} · sent at step ${item.startRow}, ${where}`, 'lab-detail-title'),
        segmentTable(world(), item.segment, absolute),
      );
    } else {
      const at = worlds[rowOf(item)] as World;
      const lane = model.lanes.find((candidate) => 'lane' in item && candidate.id === item.lane);
      detail.replaceChildren(
        element('p', `${item.label} on ${lane?.name ?? lane?.title ?? ''} · step ${rowOf(item)}`, 'lab-detail-title'),
        element('p', `t = ${formatSimTime(at.clock.now)} — ${at.event.explanation}`),
      );
    }
    const close = element('button', 'Close details', 'lab-button');
    close.type = 'button';
    close.addEventListener('click', () => {
      detail.hidden = true;
      selected = undefined;
      render();
      keys.focus();
    });
    detail.append(close);
    render();
  }

  function renderInflight(): void {
    const now = world();
    inflight.hidden = !spec.learner;
    if (!spec.learner) return;
    const waiting = now.network.inFlight;
    inflight.replaceChildren(
      element(
        'p',
        waiting.length === 0
          ? 'Nothing is in flight.'
          : 'In flight — deliver or lose a segment, or Step forward to let time pass (timers may fire):',
        'stepper-inflight-title',
      ),
    );
    const list = element('ul');
    for (const item of waiting) {
      const row = element('li');
      row.append(element('code', segmentText(now, item.segment, absolute).replace('\n', ' ')));
      for (const kind of ['deliver', 'drop'] as const) {
        const button = element('button', kind === 'deliver' ? 'Deliver' : 'Lose', 'lab-button');
        button.type = 'button';
        button.setAttribute(
          'aria-label',
          `${kind === 'deliver' ? 'Deliver' : 'Lose'} ${item.segment.from} segment ${item.segment.id}`,
        );
        button.addEventListener('click', () => {
          spec = intervene(spec, { at: cursor, kind, segmentId: item.segment.id });
          worlds = buildRun(spec);
          cursor = Math.min(cursor + 1, worlds.length - 1);
          render();
          controls.refresh();
        });
        row.append(' ', button);
      }
      list.append(row);
    }
    inflight.append(list);
  }

  let model: SequenceModel = buildTcpSequenceModel(worlds, cursor, absolute);
  const keys = bindDiagramFocus(sequenceBox, sequence.body.node() as SVGSVGElement, {
    model: () => model,
    // Every row is drawn: the item's own focus() scrolls it into view.
    reveal: () => render(),
  });

  function render(): void {
    const now = world();
    model = buildTcpSequenceModel(worlds, cursor, absolute);
    sequenceDiagram(sequence, model, {
      width: sequenceBox.clientWidth,
      // Wide enough that a segment's label (up to ~45 characters with options) clears the lanes' notes; a phone scrolls sideways.
      minLaneWidth: 330,
      rowHeight: ROW_HEIGHT,
      spread: true,
      formatTime: formatSimTime,
      reducedMotion: reducedMotion.matches,
      onSelect: showDetail,
      selected: selected?.id,
      roving: keys.roving(model),
      onMove: keys.onMove,
      onFocusItem: keys.onFocusItem,
    });
    keys.drawn();
    stateDiagram(fsm, states(now), reducedMotion.matches);
    statesText.textContent = describeStates(now);
    const armed = now.network.dropNext.length > 0 ? ' The next segment sent will be lost.' : '';
    explain.textContent = `Step ${cursor} · t = ${formatSimTime(now.clock.now)} — ${now.event.explanation}${armed}`;
    if (feedback !== undefined) explain.prepend(feedback);
    renderInflight();
    // Follow the step, unless the pointer or the keyboard is in the diagram.
    if (!sequenceBox.matches(':hover') && !keys.holding()) {
      const rowY = 8 + ROW_HEIGHT * (cursor + 1);
      if (rowY > sequenceBox.scrollTop + sequenceBox.clientHeight - 60 || rowY < sequenceBox.scrollTop)
        sequenceBox.scrollTop = rowY - sequenceBox.clientHeight / 2;
    }
    saveLink();
  }

  /** In predict mode, forward first asks; the answer then takes the step. */
  function ask(): boolean {
    const prediction = predictNext(world());
    if (prediction === undefined) return false;
    predictPanel.hidden = false;
    predictPanel.replaceChildren(element('p', prediction.question, 'stepper-question'));
    const choices = element('div', undefined, 'stepper-choices');
    for (const choice of prediction.choices) {
      const button = element('button', KIND_LABELS[choice], 'lab-button');
      button.type = 'button';
      button.addEventListener('click', () => {
        const right = choice === prediction.answer;
        feedback = element(
          'strong',
          right ? 'Right. ' : `Not quite: it was ${KIND_LABELS[prediction.answer]}. `,
          right ? 'is-right' : 'is-wrong',
        );
        predictPanel.hidden = true;
        cursor = Math.min(cursor + 1, worlds.length - 1);
        explain.textContent = '';
        render();
        explain.append(` ${prediction.explanation}`);
        controls.refresh();
        part<HTMLButtonElement>(root, 'forward').focus();
      });
      choices.append(button);
    }
    predictPanel.append(choices);
    choices.querySelector('button')?.focus();
    return true;
  }

  const controls = bindStepperControls(
    root,
    predictingDriver({
      length: () => worlds.length,
      index: () => cursor,
      show: (index) => {
        feedback = undefined;
        cursor = index;
        render();
      },
      predicting: () => predictBox.checked,
      asking: () => !predictPanel.hidden,
      ask,
      hideQuestion: () => (predictPanel.hidden = true),
      // In "I choose" mode, forward at the end lets time pass while segments wait.
      extend: () => {
        if (!spec.learner || world().network.inFlight.length === 0) return;
        spec = intervene(spec, { at: cursor, kind: 'wait' });
        worlds = buildRun(spec);
      },
    }),
    (text) => {
      explain.textContent = text;
    },
  );

  function restart(next: RunSpec, keepStep: boolean): void {
    spec = next;
    worlds = buildRun(spec);
    cursor = keepStep ? Math.min(cursor, worlds.length - 1) : 0;
    selected = undefined;
    detail.hidden = true;
    feedback = undefined;
    predictPanel.hidden = true;
    syncInputs();
    render();
    controls.refresh();
  }

  scenarioSelect.addEventListener('change', () =>
    restart(
      {
        ...defaultSpec(scenarioSelect.value),
        latencyMs: spec.latencyMs,
        lossPct: spec.lossPct,
        seed: spec.seed,
        learner: spec.learner,
        synBackoff: spec.synBackoff,
      },
      false,
    ),
  );
  latency.addEventListener('change', () => restart({ ...spec, latencyMs: Number(latency.value), interventions: [] }, true));
  syn.addEventListener('change', () => {
    const picked = SYN_SCHEDULES.find((s) => s.value === syn.value)?.value ?? spec.synBackoff;
    restart({ ...spec, synBackoff: picked, interventions: [] }, true);
  });
  loss.addEventListener('change', () => restart({ ...spec, lossPct: Number(loss.value), interventions: [] }, true));
  seed.addEventListener('change', () => {
    const value = Math.floor(Number(seed.value));
    if (!Number.isFinite(value) || value < 0 || value > 99_999) {
      explain.textContent = 'The seed is a whole number from 0 to 99999.';
      seed.value = String(spec.seed);
      return;
    }
    restart({ ...spec, seed: value, interventions: [] }, true);
  });
  learner.addEventListener('change', () => restart({ ...spec, learner: learner.checked, interventions: [] }, false));
  absoluteBox.addEventListener('change', () => {
    absolute = absoluteBox.checked;
    if (selected !== undefined) showDetail(selected);
    else render();
  });
  predictBox.addEventListener('change', () => {
    controls.pause();
    predictPanel.hidden = true;
    feedback = undefined;
    render();
  });
  drop.addEventListener('click', () => {
    spec = intervene(spec, { at: cursor, kind: 'arm-drop' });
    worlds = buildRun(spec);
    render();
    controls.refresh();
  });
  bindCopyLink(link, key, saveLink);
  new ResizeObserver(() => render()).observe(sequenceBox);

  syncInputs();
  render();
  controls.refresh();
  root.dataset.ready = 'true';
}
