import { expect, test, type Page } from '@playwright/test';
import { focused, SHOTS, watchConsole } from './support.ts';

const LESSON = '/lessons/handshake-and-goodbye/';

async function firstStepper(page: Page) {
  const stepper = page.locator('tcp-stepper').first();
  await stepper.scrollIntoViewIfNeeded();
  await expect(stepper).toHaveAttribute('data-ready', 'true');
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 0 of \d+/);
  return stepper;
}

test('steps forward and back through the handshake, with states lit', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const stepper = await firstStepper(page);
  const labels = stepper.locator('.seq-diagram .seq-arrow .seq-label');

  const forward = stepper.getByRole('button', { name: 'Step forward' });
  // The server listens before step 0, so the SYN, ACK reaches the client at step 3.
  for (let i = 0; i < 3; i++) await forward.click();
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 3 of/);
  await expect(labels.filter({ hasText: /^SYN Seq=0 / })).toHaveCount(1);
  await expect(labels.filter({ hasText: /^SYN, ACK Seq=0 Ack=1 / })).toHaveCount(1);
  await expect(stepper.locator('.fsm-node.is-client > text')).toHaveText('ESTABLISHED');
  await expect(stepper.locator('.fsm-edge.is-taken')).toHaveCount(1);
  await expect(stepper.locator('.stepper-states')).toContainText('client: ESTABLISHED');

  // The keyboard works anywhere in the stepper: ← steps back and restores the previous picture.
  await forward.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 2 of/);
  await expect(stepper.locator('.fsm-node.is-client > text')).toHaveText('SYN-SENT');
  await page.keyboard.press('ArrowRight');
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 3 of/);

  // A segment's header fields, relative and absolute.
  await stepper.locator('.seq-arrow.seq-syn').click();
  await expect(stepper.locator('.segment-fields')).toContainText('Sequence number');
  await expect(stepper.locator('.segment-fields')).toContainText('MSS option1460');
  // The Timeline scrubber jumps anywhere in the run.
  await stepper.locator('input[data-part="timeline"]').evaluate((input: HTMLInputElement) => {
    input.value = '2';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 2 of/);
  await stepper.getByRole('button', { name: 'Step forward' }).click();
  await stepper.getByRole('button', { name: 'Step forward' }).click();
  await stepper.getByLabel('Absolute sequence numbers').check();
  await expect(labels.filter({ hasText: /^SYN Seq=0 / })).toHaveCount(0);
  await stepper.screenshot({ path: `${SHOTS}/tcp-stepper.png` });
  expect(problems).toEqual([]);
});

test('a shared permalink opens the same step of the same run', async ({ page, browser }) => {
  await page.goto(LESSON);
  const stepper = await firstStepper(page);
  await stepper.getByLabel('Latency').selectOption('200');
  await stepper.getByRole('button', { name: 'Drop the next segment' }).click();
  const forward = stepper.getByRole('button', { name: 'Step forward' });
  for (let i = 0; i < 3; i++) await forward.click();
  await expect(stepper.locator('.seq-arrow.seq-lost')).toHaveCount(1);
  const position = await stepper.locator('.stepper-position').innerText();
  const labelTexts = (scope: typeof stepper) =>
    scope.locator('.seq-diagram .seq-label').evaluateAll((nodes) => nodes.map((node) => node.textContent));
  const labels = await labelTexts(stepper);
  expect(labels.length).toBeGreaterThan(0);
  expect(page.url()).toContain('tcp-handshake.step=3');

  // Opened fresh elsewhere, as a shared link is.
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(page.url());
  const again = other.locator('tcp-stepper').first();
  await expect(again).toHaveAttribute('data-ready', 'true');
  await expect(again.locator('.stepper-position')).toHaveText(position);
  await expect(again.getByLabel('Latency')).toHaveValue('200');
  await expect.poll(() => labelTexts(again)).toEqual(labels);
  await expect(again.locator('.seq-arrow.seq-lost')).toHaveCount(1);
  await context.close();
});

test('predict mode asks before each step and says whether the guess was right', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const stepper = await firstStepper(page);
  await stepper.getByLabel('Predict the next segment').check();
  await stepper.getByRole('button', { name: 'Step forward' }).click();
  const panel = stepper.locator('.stepper-predict');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('What is sent?');
  await panel.getByRole('button', { name: 'SYN', exact: true }).click();
  await expect(stepper.locator('.stepper-explain .is-right')).toHaveText('Right. ');
  await expect(stepper.locator('.stepper-position')).toHaveText(/step 1 of/);
  await stepper.getByRole('button', { name: 'Play' }).click();
  await expect(stepper.locator('.stepper-explain')).toContainText('Play is off while you predict');
  expect(problems).toEqual([]);
});

test('the scenario select and learner delivery work, in dark mode on a phone', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const stepper = await firstStepper(page);
  await stepper.getByLabel('Scenario').selectOption('connection-refused');
  await expect(stepper.locator('.stepper-description')).toContainText('nothing listens on the port');
  await stepper.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press('End');
  await expect(stepper.locator('.stepper-position')).toHaveText(/step (\d+) of \1/);
  await expect(stepper.locator('.seq-arrow.seq-rst')).toHaveCount(1);
  await expect(stepper.locator('.stepper-explain')).toContainText(/refused|ECONNREFUSED/i);

  await stepper.getByLabel('Scenario').selectOption('handshake');
  await stepper.getByLabel('I choose which segment arrives next').check();
  const inflight = stepper.locator('.stepper-inflight');
  await expect(inflight).toBeVisible();
  // Step 1 is connect(): its SYN then waits for the learner, the server already listening.
  await stepper.getByRole('button', { name: 'Step forward' }).click();
  await expect(inflight.getByRole('button', { name: /Deliver client segment/ })).toHaveCount(1);
  await inflight.getByRole('button', { name: /Deliver client segment/ }).click();
  await expect(stepper.locator('.fsm-node.is-server').filter({ hasText: 'SYN-RECEIVED' })).toHaveCount(1);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await stepper.screenshot({ path: `${SHOTS}/tcp-stepper-dark-narrow.png` });
  expect(problems).toEqual([]);
  await context.close();
});

test('the SYN retries setting switches the lost-SYN schedule and travels in the link', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const stepper = page.locator('tcp-stepper[data-scenario="lost-syn"]');
  await stepper.scrollIntoViewIfNeeded();
  await expect(stepper).toHaveAttribute('data-ready', 'true');
  const timeline = stepper.locator('input[data-part="timeline"]');
  const jump = (step: number) =>
    timeline.evaluate((input: HTMLInputElement, value) => {
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, step);
  // Step 5 is the second retransmission: 1 s after the first on Linux 6.5+, 2 s with RFC 6298.
  await jump(5);
  await expect(stepper.locator('.stepper-explain')).toContainText('retry 2, 2 s after the first');
  await stepper.getByLabel('SYN retries').selectOption('exponential');
  await jump(5);
  await expect(stepper.locator('.stepper-explain')).toContainText('retry 2, 3 s after the first');
  expect(page.url()).toContain('tcp-lost-syn.syn=rfc');
  expect(problems).toEqual([]);
});

test('the sequence diagram is one tab stop; its arrow keys move focus, not the step; every item opens details', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const stepper = await firstStepper(page);
  for (let i = 0; i < 3; i++) await stepper.getByRole('button', { name: 'Step forward' }).click();
  const position = stepper.locator('.stepper-position');
  await expect(position).toHaveText(/step 3 of/);

  // In with one Tab from the control before the diagram, out with one more.
  await stepper.getByLabel('Predict the next segment').focus();
  await page.keyboard.press('Tab');
  const landed = await focused(page);
  expect(landed).toMatchObject({ inDiagram: true, tabindex: '0', role: 'button' });
  expect(await stepper.locator('.lab-diagram [tabindex="0"]').count()).toBe(1);
  expect(await stepper.locator('.lab-diagram').getAttribute('tabindex')).toBe('-1');
  await page.keyboard.press('Tab');
  expect((await focused(page)).inDiagram).toBe(false);
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).item).toBe(landed.item);

  // Arrows move between items and leave the step alone.
  await page.keyboard.press('Home');
  const first = (await focused(page)).item;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowLeft');
  const second = (await focused(page)).item;
  expect(second).not.toBe(first);
  await page.keyboard.press('ArrowUp');
  expect((await focused(page)).item).toBe(first);
  await expect(position).toHaveText(/step 3 of/);

  // A mark opens what happened at its step; an arrow its segment's header fields.
  const detail = stepper.locator('.lab-detail');
  await page.keyboard.press('Enter');
  await expect(detail).toBeVisible();
  await expect(detail.locator('.segment-fields')).toHaveCount(0);
  await detail.getByRole('button', { name: 'Close details' }).press('Enter');
  await expect(detail).toBeHidden();
  expect((await focused(page)).item).toBe(first);
  const syn = await stepper.locator('.seq-arrow.seq-syn').getAttribute('data-item');
  for (let i = 0; i < 12 && (await focused(page)).item !== syn; i++) await page.keyboard.press('ArrowDown');
  expect((await focused(page)).item).toBe(syn);
  await page.keyboard.press(' ');
  await expect(detail.locator('.segment-fields')).toBeVisible();
  await expect(stepper.getByRole('button', { name: 'Play' })).toBeVisible();
  await detail.getByRole('button', { name: 'Close details' }).click();
  expect(await focused(page)).toMatchObject({ item: syn, inDiagram: true });

  // Names are what the diagram shows, never internal lane ids.
  const names = await stepper.locator('.lab-diagram [data-item]').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
  expect(names.length).toBeGreaterThan(4);
  for (const name of names) expect(name).not.toMatch(/client-\d/);
  expect(problems).toEqual([]);
});
