import { checksFor, costRatios, judge, TESTABLE, type Check, type CheckResult, type Costs, type Finding } from '../core/select-loop/checks.ts';
import { buildRun, bytesLiteral, inputText, waitText, type LoopWorld } from '../core/select-loop/index.ts';
import { element, part } from './dom.ts';
import { programById } from './loop-programs.ts';
import { specProgram, type LoopSpec } from './loop-run.ts';

export type ChecksHost = {
  spec(): LoopSpec;
  /** Opens the stepper on a check's scenario at a step (the learner's program, as it runs now). */
  open(scenario: string, step: number): void;
};

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One sentence that names the cause; built from the finding's data, for display only. */
export function findingText(result: CheckResult, deadline: LoopWorld | undefined): string {
  const crash = result.crash === undefined ? '' : `${result.crash.thread} died at step ${result.crash.step} with ${result.crash.type}${result.crash.message === '' ? '' : `: ${result.crash.message}`}. `;
  const finding: Finding | undefined = result.finding;
  if (finding === undefined) return `Passed: the server managed to ${result.check.must}.`;
  switch (finding.kind) {
    case 'unanswered': {
      const when = finding.before === undefined ? 'by the end of the run' : `before “${inputText(finding.before)}”`;
      const waits =
        deadline === undefined
          ? ''
          : finding.threads
              .filter((thread) => thread.wait !== undefined)
              .map((thread) => `${thread.thread} was waiting in ${waitText(deadline, thread.wait!)}`)
              .join('; ');
      const served = finding.served
        ? `the server last served ${finding.client} at step ${result.step}`
        : `the server never served ${finding.client}, whose bytes arrived at step ${result.step}`;
      return `${crash}Client ${finding.client} never received ${bytesLiteral(finding.missing)} ${when}: ${served}${waits === '' ? '' : `, and ${waits}`}.`;
    }
    case 'wrong-bytes':
      return `${crash}At step ${result.step} the server handed the kernel ${bytesLiteral(finding.written)} for client ${finding.client}, which should get ${finding.owed === '' ? 'nothing yet' : bytesLiteral(finding.owed)}: a piece of a message, or bytes out of order.`;
    case 'exited':
      return `${crash}At step ${result.step} the server's process ended while clients were still connected: a server must outlive its clients.`;
    case 'spinning':
      return `${crash}At step ${result.step} the server had nothing to do but kept running instead of waiting: a loop that never blocks spins and burns the CPU (${fmt(finding.wastedPasses)} wasted passes by then).`;
  }
}

function costsText(costs: Costs, reference: Costs | undefined): string {
  const ratios = reference === undefined ? undefined : costRatios(costs, reference);
  const versus = (key: keyof Costs) => {
    const ratio = ratios?.[key];
    return ratio === undefined ? (reference === undefined ? '' : ' (the reference wastes none)') : ` (×${fmt(ratio, 2)} the reference)`;
  };
  return [
    `${fmt(costs.wasted)} wasted passes${versus('wasted')}`,
    `${fmt(costs.bytesPerOwed, 2)} bytes sent per byte owed${versus('bytesPerOwed')}`,
    `${fmt(costs.threads)} thread${costs.threads === 1 ? '' : 's'}${versus('threads')}`,
  ].join(' · ');
}

/** What the stepper tells the checks: the program changed (an edit ran, or the lesson's came back). */
export type LoopChecks = { programChanged(): void };

/** "Test my server": runs the program the stepper shows through its suite's checks and lists what happened. */
export function bindLoopChecks(root: HTMLElement, host: ChecksHost): LoopChecks {
  const none: LoopChecks = { programChanged: () => undefined };
  const button = root.querySelector<HTMLButtonElement>('[data-part="test"]');
  const panel = root.querySelector<HTMLElement>('[data-part="checks"]');
  if (button === null || panel === null) return none;
  const testable = TESTABLE[host.spec().program];
  if (testable === undefined || host.spec().compare !== undefined) return none;
  const list = part(panel, 'check-list');
  const summary = part(panel, 'check-summary');
  button.hidden = false;
  button.setAttribute('aria-expanded', 'false');

  const reference = programById(testable.reference);
  /** The reference program's costs per check: its text never changes, so each is measured once. */
  const referenceCosts = new Map<string, Costs>();
  const costsOfReference = (check: Check) => {
    let costs = referenceCosts.get(check.id);
    if (costs === undefined) {
      costs = judge(check, buildRun(reference, check.scenario)).costs;
      referenceCosts.set(check.id, costs);
    }
    return costs;
  };

  function run(): void {
    const spec = host.spec();
    const program = specProgram(spec);
    // The lesson's own reference compared with itself would only say "×1.00" everywhere.
    const compare = !(program.id === reference.id && spec.source === undefined);
    const items: HTMLElement[] = [];
    let passed = 0;
    const checks = checksFor(testable.suite);
    for (const check of checks) {
      const loopRun = buildRun(program, check.scenario);
      const result = judge(check, loopRun);
      if (result.pass) passed += 1;
      const item = element('li', undefined, 'check-item');
      item.dataset.check = check.id;
      item.dataset.pass = String(result.pass);
      item.dataset.step = String(result.step);
      const head = element('p', undefined, 'check-head');
      head.append(element('span', result.pass ? 'Pass' : 'Fail', result.pass ? 'check-badge is-pass' : 'check-badge is-fail'), ` Check ${check.number}: ${check.title}`);
      const deadline = result.finding?.kind === 'unanswered' ? loopRun.worlds[result.finding.deadline] : undefined;
      item.append(head, element('p', findingText(result, deadline), 'check-cause'), element('p', costsText(result.costs, compare ? costsOfReference(check) : undefined), 'check-costs'));
      const open = element('button', result.pass ? 'Step through this check' : `Open step ${result.step}`, 'lab-button');
      open.type = 'button';
      open.dataset.part = 'open-check';
      open.addEventListener('click', () => host.open(check.scenario, result.step));
      item.append(open);
      items.push(item);
    }
    list.replaceChildren(...items);
    summary.dataset.passed = String(passed);
    summary.dataset.total = String(checks.length);
    summary.textContent = `${spec.source === undefined ? 'The lesson’s program' : 'Your version'} passed ${passed} of ${checks.length} checks.`;
  }

  button.addEventListener('click', () => {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    summary.textContent = 'Running the checks…';
    // Let the page paint the panel before the runs take the main thread.
    setTimeout(() => {
      run();
      summary.focus();
    }, 20);
  });
  part<HTMLButtonElement>(panel, 'checks-close').addEventListener('click', () => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  });
  return {
    // Results of another program would mislead: an open panel runs the checks again, a closed one forgets them.
    programChanged() {
      if (panel.hidden) list.replaceChildren();
      else run();
    },
  };
}
