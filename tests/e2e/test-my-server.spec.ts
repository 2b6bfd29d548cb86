import { expect, test, type Locator, type Page } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { loopStepper } from './loop-steppers.ts';

/** Lesson 5's first stepper: the selectors echo server on three interleaved clients. */
async function selectorsStepper(page: Page, url = '/lessons/selectors/'): Promise<Locator> {
  await page.goto(url);
  return loopStepper(page, 'loop-selectors-server');
}

async function runInEditor(page: Page, widget: Locator, text: string): Promise<void> {
  const edit = widget.getByRole('button', { name: 'Edit this program' });
  if ((await edit.getAttribute('aria-expanded')) !== 'true') await edit.click();
  await widget.locator('.cm-content').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Control+Enter');
  await expect(widget.locator('[data-part="editor-status"]')).toHaveAttribute('data-state', 'ran');
}

/** Each check's outcome as the list shows it: id → pass. */
const outcomes = (widget: Locator) =>
  widget.locator('.check-item').evaluateAll((items) => Object.fromEntries(items.map((item) => [(item as HTMLElement).dataset.check, (item as HTMLElement).dataset.pass === 'true'])));

test('a server that forgets outb[sent:] fails the large-message check at its last send; fixed, it passes every check', async ({ page, browser }) => {
  const problems = watchConsole(page);
  const widget = await selectorsStepper(page);
  const good = await page.evaluate(() => fetch('/programs/selectors_server_modify.py').then((response) => response.text()));
  const broken = good.replace('data.outb = data.outb[sent:]', 'data.outb = b""');
  expect(broken).not.toBe(good);
  await runInEditor(page, widget, broken);

  await widget.getByRole('button', { name: 'Test my server' }).click();
  const summary = widget.locator('[data-part="check-summary"]');
  await expect(summary).toHaveAttribute('data-total', '5');
  expect(await outcomes(widget)).toEqual({ 'echo-order': true, 'echo-pieces': true, 'echo-large': false, 'echo-slow': false, 'echo-abrupt': true });
  const large = widget.locator('.check-item[data-check="echo-large"]');
  const step = Number(await large.getAttribute('data-step'));
  expect(step).toBeGreaterThan(0);
  await widget.locator('.loop-checks').screenshot({ path: `${SHOTS}/test-my-server-failing.png` });

  // The failing check opens the stepper at the step it names, on the check's scenario, with the line that ran marked.
  await large.getByRole('button').click();
  await expect(widget.locator('.stepper-position')).toHaveText(new RegExp(`step ${step} of`));
  await expect(widget.locator('[data-part="scenario"]')).toHaveValue('check-echo-large');
  await expect(widget.locator('.loop-code li.just-ran')).toContainText('sent = sock.send(data.outb)');
  await expect(widget.getByRole('button', { name: 'Step forward' })).toBeFocused();
  // Step back from there works as anywhere else.
  await widget.getByRole('button', { name: 'Step back' }).click();
  await expect(widget.locator('.stepper-position')).toHaveText(new RegExp(`step ${step - 1} of`));
  await widget.getByRole('button', { name: 'Step forward' }).click();

  // The link holds program, check and step.
  await widget.getByRole('button', { name: 'Copy a link to this step' }).click();
  const visitor = await browser.newPage();
  const reopened = await selectorsStepper(visitor, page.url());
  await expect(reopened.locator('.stepper-position')).toHaveText(new RegExp(`step ${step} of`));
  await expect(reopened.locator('[data-part="scenario"]')).toHaveValue('check-echo-large');
  await expect(reopened.locator('.loop-code li.just-ran')).toContainText('sent = sock.send(data.outb)');
  await visitor.close();

  // Fix the line, run again, test again: every check passes.
  await runInEditor(page, widget, good);
  await widget.getByRole('button', { name: 'Test my server' }).click();
  await expect.poll(() => outcomes(widget)).toEqual({ 'echo-order': true, 'echo-pieces': true, 'echo-large': true, 'echo-slow': true, 'echo-abrupt': true });
  await expect(summary).toHaveAttribute('data-passed', '5');
  expect(problems).toEqual([]);
});

test('the chat lesson’s server fails only the framing check, and names the step that relayed a piece of a line', async ({ page }) => {
  await page.goto('/lessons/chat-server-with-threads/');
  const widget = page.locator('loop-stepper[data-key="loop-chat-server"]');
  await widget.scrollIntoViewIfNeeded();
  await expect(widget).toHaveAttribute('data-ready', 'true');
  await widget.getByRole('button', { name: 'Test my server' }).click();
  await expect(widget.locator('[data-part="check-summary"]')).toHaveAttribute('data-total', '3');
  expect(await outcomes(widget)).toEqual({ 'chat-order': true, 'chat-framing': false, 'chat-leave': true });
  await widget.locator('.check-item[data-check="chat-framing"]').getByRole('button').click();
  await expect(widget.locator('.loop-code li.just-ran')).toContainText('sendall');
});
