import { expect, type Locator, type Page } from '@playwright/test';

/** What the lesson specs share about an event-loop stepper: finding it ready, moving it, and reading what it shows. */

/** The stepper with this key, scrolled into view and hydrated (a busy machine can take a while). */
export async function loopStepper(page: Page, key: string): Promise<Locator> {
  const found = page.locator(`loop-stepper[data-key="${key}"]`);
  await found.scrollIntoViewIfNeeded();
  await expect(found).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  return found;
}

export const position = (widget: Locator) => widget.locator('.stepper-position');

/** Drags the Timeline to a step (or the last), as the slider's keys or a pointer would. */
export async function seek(widget: Locator, step: number | 'end'): Promise<void> {
  await widget.locator('input[data-part="timeline"]').evaluate((input: HTMLInputElement, value) => {
    input.value = value === 'end' ? input.max : String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
}

export async function lastStep(widget: Locator): Promise<number> {
  return Number(await widget.locator('input[data-part="timeline"]').getAttribute('max'));
}

/** Everything the panes show of the run at this step: marked lines, io_uring's rings and counts, state tables, output (textContent, so shut <details> count too). */
export async function snapshot(widget: Locator): Promise<string[]> {
  const texts = (selector: string) => widget.locator(selector).evaluateAll((all) => all.map((one) => one.textContent ?? ''));
  return [
    ...(await texts('.loop-code li[aria-current="step"]')),
    ...(await texts('.uring-box')),
    ...(await widget.locator('.uring-tally').evaluateAll((boxes) => boxes.map((box) => JSON.stringify((box as HTMLElement).dataset)))),
    ...(await texts('.loop-state')),
    ...(await texts('.loop-output')),
  ];
}

/**
 * Steps to `at`, two further and two back, then jumps to the end, to `at` and to the end again:
 * every way of reaching a step must show exactly the same state.
 */
export async function expectExactStepping(widget: Locator, at: number): Promise<void> {
  const forward = widget.getByRole('button', { name: 'Step forward' });
  const back = widget.getByRole('button', { name: 'Step back' });
  for (let i = 0; i < at; i++) await forward.click();
  await expect(position(widget)).toHaveText(new RegExp(`^step ${at} of \\d+`));
  const here = await snapshot(widget);
  await forward.click();
  await forward.click();
  expect(await snapshot(widget)).not.toEqual(here);
  await back.click();
  await back.click();
  await expect(position(widget)).toHaveText(new RegExp(`^step ${at} of`));
  expect(await snapshot(widget)).toEqual(here);
  await seek(widget, 'end');
  const atEnd = await snapshot(widget);
  await seek(widget, at);
  expect(await snapshot(widget)).toEqual(here);
  await seek(widget, 'end');
  expect(await snapshot(widget)).toEqual(atEnd);
}
