import { expect, test, type Locator, type Page } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';

async function stepper(page: Page, selector: string): Promise<Locator> {
  const found = page.locator(selector).first();
  await found.scrollIntoViewIfNeeded();
  await expect(found).toHaveAttribute('data-ready', 'true');
  return found;
}

const position = (widget: Locator) => widget.locator('.stepper-position');

/** Drags the Timeline to a step, as a pointer or the arrow keys on the slider would. */
async function seek(widget: Locator, step: number): Promise<void> {
  await widget.locator('input[data-part="timeline"]').evaluate((input: HTMLInputElement, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
}

test('steps a selectors server line by line, in lockstep with its code, and back exactly', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/selectors/');
  const widget = await stepper(page, 'loop-stepper[data-key="loop-selectors-server"]');
  const forward = widget.getByRole('button', { name: 'Step forward' });
  for (let i = 0; i < 14; i++) await forward.click();
  await expect(position(widget)).toHaveText(/step 14 of \d+/);
  const current = widget.locator('.loop-code li[aria-current="step"]');
  await expect(current).toHaveCount(1);
  const lineAt14 = await current.innerText();
  const registryAt14 = await widget.locator('.loop-state').allInnerTexts();

  await forward.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(position(widget)).toHaveText(/step 14 of/);
  await expect(current).toHaveText(lineAt14);
  expect(await widget.locator('.loop-state').allInnerTexts()).toEqual(registryAt14);

  // Far enough in, select() has returned keys and the registry holds the clients.
  await seek(widget, 120);
  await expect(widget.locator('.loop-select')).toContainText('The last select() returned');
  await expect(widget.locator('.loop-state caption', { hasText: 'Selector registry' })).toHaveCount(1);
  await expect(widget.locator('.loop-client')).not.toHaveCount(0);
  await widget.screenshot({ path: `${SHOTS}/loop-stepper.png` });
  expect(problems).toEqual([]);
});

test('an injected event forks the run, and a shared link reopens it at the same step', async ({ page, browser }) => {
  await page.goto('/lessons/selectors/');
  const widget = await stepper(page, 'loop-stepper[data-key="loop-selectors-server"]');
  await seek(widget, 30);
  const menu = widget.getByLabel('Inject event');
  const connect = await menu
    .locator('option', { hasText: /connects/ })
    .first()
    .textContent();
  await menu.selectOption({ label: connect ?? '' });
  await widget.getByRole('button', { name: 'Inject', exact: true }).click();
  await expect(position(widget)).toHaveText(/step 31 of/);
  await expect(widget.locator('.stepper-explain')).toContainText(/connect/i);
  const url = page.url();
  expect(url).toContain('loop-selectors-server.do=');

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  const again = await stepper(other, 'loop-stepper[data-key="loop-selectors-server"]');
  await expect(position(again)).toHaveText(/step 31 of/);
  await expect(again.locator('.stepper-explain')).toContainText(/connect/i);
  await context.close();
});

test('side by side, the blocking server leaves a client in the accept queue', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/selectors/');
  const widget = await stepper(page, 'loop-stepper[data-compare="selectors-server"]');
  await expect(widget.locator('.loop-pane')).toHaveCount(2);
  const forward = widget.getByRole('button', { name: 'Step forward' });
  for (let i = 0; i < 3; i++) await forward.click();
  await expect(widget.locator('.stepper-explain')).toContainText('still in the accept queue');
  await expect(widget.locator('.loop-pane').first().locator('.loop-table.is-queued')).toHaveCount(1);
  await expect(widget.locator('.loop-pane').nth(1).locator('.loop-table.is-queued')).toHaveCount(0);
  await widget.screenshot({ path: `${SHOTS}/loop-side-by-side.png` });
  expect(problems).toEqual([]);
});

test('predict the next line asks, then answers with the model’s reason', async ({ page }) => {
  await page.goto('/lessons/blocking-and-non-blocking/');
  const widget = await stepper(page, 'loop-stepper[data-key="loop-blocking-echo"]');
  await widget.getByLabel('Predict the next line').check();
  await widget.getByRole('button', { name: 'Step forward' }).click();
  const panel = widget.locator('.stepper-predict');
  await expect(panel).toContainText('Which line does it run after that?');
  await panel.getByRole('button').first().click();
  await expect(widget.locator('.stepper-explain strong')).toHaveText(/^(Right\. |Not quite: line \d+\. )$/);
  await expect(position(widget)).toHaveText(/step 1 of/);
});

test('driven by the sandbox, the simulated selectors loop serves the learner’s real connection', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/selectors/');
  const widget = await stepper(page, 'loop-stepper[data-key="selectors-live"]');
  await widget.getByLabel('Drive it from my sandbox').check();
  await expect(widget.locator('.stepper-explain')).toContainText('Waiting for your sandbox');
  await page.locator('echo-lab').scrollIntoViewIfNeeded();
  await expect(page.locator('echo-lab')).toHaveAttribute('data-state', 'open');
  await page.locator('.lab-terminal .xterm-helper-textarea').focus();
  await page.keyboard.type('nc echo\n');
  await expect.poll(() => page.locator('.lab-terminal .xterm-rows').innerText()).toContain('connected #1');
  await page.keyboard.type('hello\n');
  await page.keyboard.press('Control+d');
  await expect.poll(() => page.locator('.lab-terminal .xterm-rows').innerText()).toContain('[#1 closed]');
  const clients = widget.locator('.loop-state', { has: page.locator('caption', { hasText: 'Clients (simulated)' }) });
  await expect(clients).toContainText("b'hello\\n'");
  await expect(clients).toContainText('sent FIN');
  await expect(widget.locator('.loop-output')).toContainText('Closing connection');
  expect(problems).toEqual([]);
});

test('a chat: the buggy client beside the fixed one, in dark mode on a phone', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto('/lessons/chat-server-with-threads/');
  const widget = await stepper(page, 'loop-stepper[data-compare="chat-client-fixed"]');
  await widget.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press('End');
  await expect(widget.locator('.stepper-explain')).toContainText('printed');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await widget.screenshot({ path: `${SHOTS}/loop-chat-dark-narrow.png` });
  expect(problems).toEqual([]);
  await context.close();
});
