import {
  fromSandbox,
  inputText,
  possibleInputs,
  predictNextLine,
  scenarioById,
  waitingClients,
  type Comparison,
  type LoopInput,
  type LoopWorld,
  type ProgramId,
} from '../core/select-loop/index.ts';
import type { SocketEvent } from '../protocol/events.ts';
import { element, part, withCode } from './dom.ts';
import { bindCopyLink, learnerActed, updateQuery } from './permalink.ts';
import {
  buildComparison,
  buildLoopRun,
  inject,
  readLoopPermalink,
  specProgram,
  writeLoopPermalink,
  type LoopSpec,
} from './loop-run.ts';
import type { LoopRun } from '../core/select-loop/index.ts';
import { createLoopPane, type LoopPane } from './loop-pane.ts';
import { bindLoopEditor } from './loop-editor.ts';
import { bindLoopChecks } from './loop-checks.ts';
import { SANDBOX_EVENTS, type SandboxEventsDetail } from './sandbox-events.ts';
import { bindStepperControls, predictingDriver } from './stepper-controls.ts';

const WAITING = 'Waiting for your sandbox: run nc echo in the terminal on this page, then type a line.';

/** Brings one <loop-stepper> to life: one program (or two side by side), controls, injection, prediction, live feed, the editor. */
export async function mountLoopStepper(root: HTMLElement): Promise<void> {
  const key = root.dataset.key ?? 'loop';
  const fallback: LoopSpec = {
    program: (root.dataset.program ?? 'selectors-server') as ProgramId,
    ...(root.dataset.compare === undefined ? {} : { compare: root.dataset.compare as ProgramId }),
    scenario: root.dataset.scenario ?? 'three-clients',
    injections: [],
  };
  const scenarioSelect = part<HTMLSelectElement>(root, 'scenario');
  const description = part(root, 'description');
  const explain = part(root, 'explain');
  const predictBox = part<HTMLInputElement>(root, 'predict');
  const predictPanel = part(root, 'predict-panel');
  const panes = part(root, 'panes');
  const link = part<HTMLButtonElement>(root, 'link');
  const injectBox = root.querySelector<HTMLElement>('[data-part="inject-box"]');
  const injectSelect = root.querySelector<HTMLSelectElement>('[data-part="inject-kind"]');
  const injectButton = root.querySelector<HTMLButtonElement>('[data-part="inject"]');
  const liveBox = root.querySelector<HTMLInputElement>('[data-part="live"]');
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

  const initial = await readLoopPermalink(new URLSearchParams(location.search), key, fallback);
  let spec = initial.spec;
  let cursor = initial.step;
  let liveEvents: SocketEvent[] = [];
  let run: LoopRun | undefined;
  let worlds: readonly LoopWorld[] = [];
  let comparison: Comparison | undefined;
  let feedback: HTMLElement | undefined;
  let left: LoopPane;
  let right: LoopPane | undefined;

  /** The panes show the programs the spec runs: the learner's edits, when there are some. */
  function mountPanes(): void {
    left = createLoopPane(specProgram(spec), spec.compare !== undefined, spec.source !== undefined);
    right = spec.compare === undefined ? undefined : createLoopPane(specProgram(spec, 'compare'), true, spec.compareSource !== undefined);
    panes.replaceChildren(left.root, ...(right === undefined ? [] : [right.root]));
    panes.classList.toggle('is-compare', right !== undefined);
  }
  mountPanes();

  const live = () => liveBox?.checked === true;
  // Sandbox events that are not the terminal's client traffic (the sandbox's own listener) rebuild the run too; the prompt stays until real input arrives.
  const waitingForSandbox = () => live() && fromSandbox(liveEvents).length === 0;
  const length = () => (comparison !== undefined ? comparison.rows.length : worlds.length);

  function rebuild(): void {
    comparison = buildComparison(spec);
    run = comparison === undefined ? buildLoopRun(live() ? { ...spec, scenario: 'live' } : spec, live() ? fromSandbox(liveEvents) : undefined) : undefined;
    worlds = run?.worlds ?? [];
    cursor = Math.max(0, Math.min(cursor, length() - 1));
  }

  const acted = learnerActed(root);

  function saveLink(): void {
    if (acted() && !live()) updateQuery(key, (params) => writeLoopPermalink(params, key, { spec, step: cursor }));
  }

  function fillInjectMenu(world: LoopWorld): void {
    if (injectSelect === null || injectButton === null) return;
    const inputs = possibleInputs(world);
    injectSelect.replaceChildren(
      ...inputs.map((input, i) => {
        const option = element('option', inputText(input));
        option.value = String(i);
        return option;
      }),
    );
    injectSelect.disabled = inputs.length === 0 || live();
    injectButton.disabled = inputs.length === 0 || live();
    injectButton.onclick = () => {
      const input: LoopInput | undefined = inputs[Number(injectSelect.value)];
      if (input === undefined) return;
      spec = inject(spec, cursor, input);
      cursor += 1;
      feedback = undefined;
      rebuild();
      render();
      controls.refresh();
    };
  }

  function render(): void {
    const motion = reducedMotion.matches;
    if (comparison !== undefined && right !== undefined) {
      const row = comparison.rows[cursor];
      if (row === undefined) return;
      left.render(row.left, motion);
      right.render(row.right, motion);
      const summary = (world: LoopWorld) => {
        const program = world.program;
        if (program.role === 'client')
          return `${program.title}: ${world.output.length} line${world.output.length === 1 ? '' : 's'} printed`;
        const waits = waitingClients(world);
        return `${program.title}: ${waits.length === 0 ? 'no client is kept waiting' : waits.map((wait) => `${wait.client} ${wait.reason}`).join('; ')}`;
      };
      explain.textContent = `${row.input === undefined ? 'Before anything happens' : `After “${inputText(row.input)}”`} — ${summary(row.left)}; ${summary(row.right)}.`;
    } else {
      const world = worlds[cursor];
      if (world === undefined) return;
      left.render(world, motion);
      const where = world.event.line === undefined ? '' : ` · ${world.event.thread ?? ''} line ${world.event.line}`;
      // The cap is the stepper's rule, not the program's: say so where the run stops.
      const capped =
        run?.stop.reason === 'step-cap' && cursor === worlds.length - 1
          ? ` The run stops here: the stepper runs at most ${run.stop.steps.toLocaleString('en')} steps, and this program never settled into waiting for the network.`
          : '';
      explain.replaceChildren(...withCode(waitingForSandbox() ? WAITING : `Step ${cursor}${where} — ${world.event.explanation}${capped}`));
      if (feedback !== undefined) explain.prepend(feedback);
      fillInjectMenu(world);
    }
    saveLink();
  }

  function ask(): boolean {
    const world = worlds[cursor];
    const prediction = world === undefined ? undefined : predictNextLine(world);
    if (prediction === undefined) return false;
    const source = specProgram(spec).source;
    predictPanel.hidden = false;
    const question = element('p', undefined, 'stepper-question');
    question.append(...withCode(prediction.question));
    predictPanel.replaceChildren(question);
    const choices = element('div', undefined, 'stepper-choices');
    for (const line of prediction.choices) {
      const button = element('button', `line ${line}: ${(source[line - 1] ?? '').trim()}`, 'lab-button');
      button.type = 'button';
      button.addEventListener('click', () => {
        const right = line === prediction.answer;
        feedback = element(
          'strong',
          right ? 'Right. ' : `Not quite: line ${prediction.answer}. `,
          right ? 'is-right' : 'is-wrong',
        );
        predictPanel.hidden = true;
        cursor = Math.min(cursor + 1, length() - 1);
        render();
        // The step's own explanation is already shown; add only where the thread went, which is what was asked.
        explain.append(' ', ...withCode(`So ${prediction.thread} goes on with line ${prediction.answer}, \`${(source[prediction.answer - 1] ?? '').trim()}\`.`));
        controls.refresh();
        part<HTMLButtonElement>(root, 'forward', '.stepper-controls').focus();
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
      length,
      index: () => cursor,
      show: (index) => {
        feedback = undefined;
        cursor = index;
        render();
      },
      predicting: () => predictBox.checked && comparison === undefined,
      asking: () => !predictPanel.hidden,
      ask,
      hideQuestion: () => (predictPanel.hidden = true),
    }),
    (text) => {
      explain.textContent = text;
    },
  );

  /** Selects a scenario, adding it to the menu first when it is not one of the stepper's own (a check's, from a link or a test). */
  function showScenario(id: string): void {
    if (![...scenarioSelect.options].some((option) => option.value === id)) {
      const option = element('option', scenarioById(id).title);
      option.value = id;
      scenarioSelect.append(option);
    }
    scenarioSelect.value = id;
    description.textContent = scenarioById(id).description;
  }
  showScenario(spec.scenario);
  scenarioSelect.addEventListener('change', () => {
    spec = { ...spec, scenario: scenarioSelect.value, injections: [] };
    description.textContent = scenarioById(spec.scenario).description;
    cursor = 0;
    feedback = undefined;
    predictPanel.hidden = true;
    rebuild();
    render();
    controls.refresh();
  });
  predictBox.addEventListener('change', () => {
    controls.pause();
    predictPanel.hidden = true;
    feedback = undefined;
    render();
  });
  liveBox?.addEventListener('change', () => {
    scenarioSelect.disabled = live();
    // A run driven by the sandbox's real traffic cannot be replayed from an address, so it offers no link.
    link.disabled = live();
    link.title = live() ? 'A run driven by your sandbox cannot be shared as a link; untick “Drive it from my sandbox” to link a scenario.' : '';
    if (injectBox !== null) injectBox.hidden = live();
    description.textContent = live()
      ? 'Driven by your sandbox: each connection, line and Ctrl-D from the terminal on this page becomes this loop’s network input.'
      : scenarioById(spec.scenario).description;
    cursor = live() ? Number.MAX_SAFE_INTEGER : 0;
    rebuild();
    render();
    controls.refresh();
  });
  document.addEventListener(SANDBOX_EVENTS, (event) => {
    const detail = (event as CustomEvent<SandboxEventsDetail>).detail;
    liveEvents = detail.reset ? [] : [...liveEvents, ...detail.events];
    if (!live()) return;
    const following = cursor >= length() - 1;
    rebuild();
    if (following) cursor = length() - 1;
    render();
    controls.refresh();
  });
  bindCopyLink(link, key, saveLink);
  bindLoopEditor(root, {
    spec: () => spec,
    run: () => run,
    comparison: () => comparison,
    refused: initial.refused,
    apply(next, step = 0) {
      spec = next;
      cursor = step;
      feedback = undefined;
      predictPanel.hidden = true;
      mountPanes();
      rebuild();
      render();
      controls.refresh();
      checks.programChanged();
    },
    show(step) {
      feedback = undefined;
      cursor = Math.max(0, Math.min(step, length() - 1));
      render();
      controls.refresh();
    },
  });
  const checks = bindLoopChecks(root, {
    spec: () => spec,
    open(scenario, step) {
      showScenario(scenario);
      spec = { ...spec, scenario, injections: [] };
      cursor = step;
      feedback = undefined;
      predictPanel.hidden = true;
      rebuild();
      render();
      controls.refresh();
      explain.scrollIntoView({ block: 'nearest' });
      part<HTMLButtonElement>(root, 'forward', '.stepper-controls').focus();
    },
  });

  rebuild();
  render();
  controls.refresh();
  root.dataset.ready = 'true';
}
