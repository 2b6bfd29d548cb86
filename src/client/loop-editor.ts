import type { Comparison, LoopRun, SourceProblem } from '../core/select-loop/index.ts';
import { element, part } from './dom.ts';
import { editSpec, restoreSpec, specProgram, type LoopSpec, type RefusedSource, type Side } from './loop-run.ts';
import { programText } from './loop-programs.ts';
import type { ProgramEditor } from './program-editor.ts';
import { MAX_SOURCE_CHARS } from './source-link.ts';

/** What the editor needs of its stepper: the run it shows, and a way to run something else. */
export type EditorHost = {
  spec(): LoopSpec;
  run(): LoopRun | undefined;
  comparison(): Comparison | undefined;
  /** A link's edit the stepper could not take; the editor opens with it. */
  refused: RefusedSource | undefined;
  /** Step `next` from `step`, with panes showing its programs. */
  apply(next: LoopSpec, step?: number): void;
  show(step: number): void;
};

/**
 * The state the status line shows, as data: tests and styles read `data-state`, never the sentence.
 * - changed: the editor holds text that is not what runs;
 * - problem: the text cannot run (syntax, or outside the interpreter's subset);
 * - ran / exception / step-cap: the text runs, and how its run ended;
 * - restored: the lesson's program is back.
 */
export type EditorState = 'idle' | 'changed' | 'problem' | 'ran' | 'exception' | 'step-cap' | 'restored' | 'refused';

const REFUSED_LINK: Record<'malformed' | 'too-long', string> = {
  malformed: 'The link’s edited program could not be read (the link was cut short or changed), so this is the lesson’s program.',
  'too-long': `The link’s edited program is longer than the editor takes (${MAX_SOURCE_CHARS.toLocaleString('en')} characters), so this is the lesson’s program.`,
};

function problemText(problem: SourceProblem): string {
  return `Line ${problem.line}, column ${problem.col}: ${problem.message}`;
}

/** "Edit this program": opens CodeMirror (loaded on first use) on the program a stepper runs, runs the edit, and brings the lesson's text back. */
export function bindLoopEditor(root: HTMLElement, host: EditorHost): void {
  const open = part<HTMLButtonElement>(root, 'edit');
  const panel = part(root, 'editor');
  const mountPoint = part(root, 'editor-host');
  const status = part(root, 'editor-status');
  const runButton = part<HTMLButtonElement>(root, 'editor-run');
  const restore = part<HTMLButtonElement>(root, 'editor-restore');
  const close = part<HTMLButtonElement>(root, 'editor-close');
  const sideSelect = root.querySelector<HTMLSelectElement>('[data-part="editor-side"]');
  let editor: ProgramEditor | undefined;
  let loading: Promise<ProgramEditor> | undefined;
  let side: Side = 'program';
  /** What the learner typed for each program, kept while they switch between the two. */
  const drafts = new Map<Side, string>();

  const idOf = (which: Side) => (which === 'program' ? host.spec().program : (host.spec().compare as string));
  const runningText = (which: Side) => specProgram(host.spec(), which).source.join('\n');
  const lessonText = (which: Side) => programText(idOf(which));
  const edited = (which: Side) => (which === 'program' ? host.spec().source : host.spec().compareSource) !== undefined;

  function setStatus(state: EditorState, text: string, action?: HTMLElement): void {
    status.dataset.state = state;
    status.replaceChildren(text, ...(action === undefined ? [] : [' ', action]));
  }

  function refreshButtons(): void {
    const current = editor?.text();
    restore.disabled = !edited(side) && (current === undefined || current === lessonText(side));
  }

  function onChange(): void {
    refreshButtons();
    if (editor === undefined) return;
    if (editor.text() !== runningText(side)) setStatus('changed', 'Edited: Run (Ctrl-Enter) steps your version from the start of the scenario.');
    else if (status.dataset.state === 'changed') setStatus('idle', '');
  }

  function load(): Promise<ProgramEditor> {
    loading ??= import('./program-editor.ts').then(({ createProgramEditor }) => {
      editor = createProgramEditor(mountPoint, {
        text: drafts.get(side) ?? runningText(side),
        label: `Python editor: ${specProgram(host.spec(), side).file}`,
        describedBy: part(root, 'editor-help').id,
        onRun: () => void runEdit(),
        onChange,
      });
      refreshButtons();
      return editor;
    });
    return loading;
  }

  async function show(focus: boolean): Promise<ProgramEditor> {
    panel.hidden = false;
    open.setAttribute('aria-expanded', 'true');
    const ready = await load();
    if (focus) ready.focus();
    return ready;
  }

  /** Where a run ended, said once under the editor, with a way to go to the step that matters. */
  function reportRun(): void {
    const run = host.run();
    const comparison = host.comparison();
    // Side by side, the steps are the rows: one per network input.
    const worlds = run?.worlds ?? comparison?.rows.map((row) => (side === 'program' ? row.left : row.right)) ?? [];
    const failed = worlds.findIndex((world) => world.tracebacks.length > 0);
    const first = worlds[failed]?.tracebacks[0];
    const jump = (label: string, step: number) => {
      const button = element('button', label, 'lab-button');
      button.type = 'button';
      button.addEventListener('click', () => host.show(step));
      return button;
    };
    if (first !== undefined && failed >= 0) {
      setStatus(
        'exception',
        `Your version ran until step ${failed}, where ${first.thread} stopped with ${first.type}${first.message === '' ? '' : `: ${first.message}`} (the traceback is in the program’s output).`,
        jump('Go to that step', failed),
      );
    } else if (run === undefined) {
      setStatus('ran', 'Your version runs in its pane below, beside the other program; step through it.');
    } else if (run.stop.reason === 'step-cap') {
      setStatus(
        'step-cap',
        `Your version was still running after ${run.stop.steps.toLocaleString('en')} steps without ever waiting for the network, so the stepper stopped it there. A loop that never blocks?`,
        jump('Go to the last step', run.stop.steps),
      );
    } else {
      setStatus('ran', `Your version runs: ${run.stop.steps.toLocaleString('en')} steps. Step through it below.`);
    }
  }

  async function runEdit(): Promise<void> {
    const ready = await show(false);
    const text = ready.text();
    if (text.length > MAX_SOURCE_CHARS) {
      setStatus('problem', `The program is ${text.length.toLocaleString('en')} characters long; the editor runs up to ${MAX_SOURCE_CHARS.toLocaleString('en')}.`);
      return;
    }
    drafts.delete(side);
    if (text === lessonText(side)) {
      ready.showProblem(undefined);
      host.apply(restoreSpec(host.spec(), side));
      setStatus('restored', 'This is the lesson’s program again.');
      refreshButtons();
      return;
    }
    const outcome = await editSpec(host.spec(), side, text);
    if (!outcome.ok) {
      ready.showProblem(outcome.problem);
      setStatus('problem', problemText(outcome.problem));
      return;
    }
    ready.showProblem(undefined);
    host.apply(outcome.spec);
    reportRun();
    refreshButtons();
  }

  open.hidden = false;
  open.setAttribute('aria-expanded', 'false');
  open.addEventListener('click', () => {
    if (!panel.hidden) {
      panel.hidden = true;
      open.setAttribute('aria-expanded', 'false');
      return;
    }
    void show(true);
  });
  runButton.addEventListener('click', () => void runEdit());
  restore.addEventListener('click', () => {
    drafts.delete(side);
    editor?.setText(lessonText(side));
    if (edited(side)) host.apply(restoreSpec(host.spec(), side));
    setStatus('restored', 'The lesson’s program is back.');
    refreshButtons();
    editor?.focus();
  });
  close.addEventListener('click', () => {
    panel.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    open.focus();
  });
  sideSelect?.addEventListener('change', () => {
    if (editor !== undefined) drafts.set(side, editor.text());
    side = sideSelect.value === 'compare' ? 'compare' : 'program';
    editor?.setText(drafts.get(side) ?? runningText(side));
    setStatus('idle', '');
    onChange();
  });

  const refused = host.refused;
  if (refused !== undefined) {
    side = refused.side;
    if (sideSelect !== null) sideSelect.value = side;
    if (refused.why === 'problem') {
      drafts.set(side, refused.text);
      void show(false).then((ready) => {
        ready.showProblem(refused.problem);
        setStatus('refused', `The link’s program cannot run, so the stepper shows the lesson’s. ${problemText(refused.problem)}`);
      });
    } else {
      void show(false).then(() => setStatus('refused', REFUSED_LINK[refused.why]));
    }
  }
}
