import { part } from './dom.ts';

/** What a stepper must offer its controls: a position in a run, and ways to move it. */
export type StepperDriver = {
  length: () => number;
  index: () => number;
  go: (index: number) => void;
  /** One step on; false when there is nothing more to show (or the driver is waiting on the learner). */
  forward: () => boolean;
  back: () => void;
  /** Play is refused (e.g. while predicting); the reason is shown to the learner. */
  playBlocked?: () => string | undefined;
};

export type StepperControls = {
  refresh: () => void;
  pause: () => void;
};

const isField = (target: EventTarget | null) =>
  target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;

/**
 * Wires the shared controls (StepperControls.astro) inside `root` to a driver: buttons, the timeline
 * scrubber, speed, Play/Pause, and the keys ← → Space Home End anywhere in the stepper.
 */
export function bindStepperControls(root: HTMLElement, driver: StepperDriver, announce: (text: string) => void): StepperControls {
  const control = <T extends HTMLElement>(name: string) => part<T>(root, name, '.stepper-controls');
  const back = control<HTMLButtonElement>('back');
  const play = control<HTMLButtonElement>('play');
  const forward = control<HTMLButtonElement>('forward');
  const speed = control<HTMLSelectElement>('speed');
  const timeline = control<HTMLInputElement>('timeline');
  const position = control<HTMLOutputElement>('position');
  let timer: ReturnType<typeof setInterval> | undefined;

  const refresh = () => {
    const length = driver.length();
    const index = driver.index();
    timeline.max = String(Math.max(0, length - 1));
    timeline.value = String(index);
    timeline.setAttribute('aria-valuetext', `step ${index} of ${length - 1}`);
    position.textContent = `step ${index} of ${length - 1}`;
    back.disabled = index === 0;
    const icon = play.querySelector('[data-icon]');
    const label = play.querySelector('[data-label]');
    if (icon !== null) icon.textContent = timer === undefined ? '▶' : '❚❚';
    if (label !== null) label.textContent = timer === undefined ? 'Play' : 'Pause';
  };
  const pause = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    refresh();
  };
  const start = () => {
    const blocked = driver.playBlocked?.();
    if (blocked !== undefined) {
      announce(blocked);
      return;
    }
    timer = setInterval(
      () => {
        if (!driver.forward()) pause();
        else refresh();
      },
      1000 / Number(speed.value),
    );
    refresh();
  };
  const toggle = () => (timer === undefined ? start() : pause());
  const stepForward = () => {
    pause();
    if (!driver.forward()) announce('That is the end of this run.');
    refresh();
  };
  const stepBack = () => {
    pause();
    driver.back();
    refresh();
  };

  back.addEventListener('click', stepBack);
  forward.addEventListener('click', stepForward);
  play.addEventListener('click', toggle);
  speed.addEventListener('change', () => {
    if (timer !== undefined) {
      pause();
      start();
    }
  });
  timeline.addEventListener('input', () => {
    // Read the slider before pause() redraws it at the old position.
    const target = Number(timeline.value);
    pause();
    driver.go(target);
    refresh();
  });
  root.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || isField(event.target)) return;
    const button = event.target instanceof HTMLButtonElement;
    switch (event.key) {
      case 'ArrowRight':
        stepForward();
        break;
      case 'ArrowLeft':
        stepBack();
        break;
      case ' ':
        if (button) return;
        toggle();
        break;
      case 'Home':
        pause();
        driver.go(0);
        refresh();
        break;
      case 'End':
        pause();
        driver.go(driver.length() - 1);
        refresh();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
  refresh();
  return { refresh, pause };
}

/** What a stepper with a "predict" mode tells the shared driver below. */
export type PredictingStepper = {
  length: () => number;
  index: () => number;
  /** Moves to a step (already within range) and draws it. */
  show: (index: number) => void;
  /** Whether predict mode is on, and whether its question is on screen. */
  predicting: () => boolean;
  asking: () => boolean;
  /** Puts the question for the next step on screen; false when this step has none. */
  ask: () => boolean;
  hideQuestion: () => void;
  /** Called when forward is pressed on the last step, to extend the run if the stepper can. */
  extend?: () => void;
};

/**
 * The driver both steppers share: in predict mode, forward first asks and the answer takes the
 * step; Play is refused with a reason; back and jumps drop any half-answered question.
 */
export function predictingDriver(stepper: PredictingStepper): StepperDriver {
  return {
    length: stepper.length,
    index: stepper.index,
    go: (index) => {
      stepper.hideQuestion();
      stepper.show(Math.max(0, Math.min(stepper.length() - 1, index)));
    },
    forward: () => {
      if (stepper.index() >= stepper.length() - 1) stepper.extend?.();
      if (stepper.index() >= stepper.length() - 1) return false;
      if (stepper.predicting()) {
        if (stepper.asking()) return true;
        if (stepper.ask()) return true;
      }
      stepper.show(stepper.index() + 1);
      return true;
    },
    back: () => {
      stepper.hideQuestion();
      stepper.show(Math.max(0, stepper.index() - 1));
    },
    playBlocked: () =>
      stepper.predicting() ? 'Play is off while you predict: step forward to answer each question.' : undefined,
  };
}
