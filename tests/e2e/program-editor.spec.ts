import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { SHOTS, watchConsole } from './support.ts';
import { lastStep, loopStepper, position, seek } from './loop-steppers.ts';

/** Lesson 5's first stepper: the selectors echo server on three interleaved clients. */
async function selectorsStepper(page: Page, url = '/lessons/selectors/'): Promise<Locator> {
  await page.goto(url);
  return loopStepper(page, 'loop-selectors-server');
}

const status = (widget: Locator) => widget.locator('[data-part="editor-status"]');

async function openEditor(widget: Locator): Promise<Locator> {
  await widget.getByRole('button', { name: 'Edit this program' }).click();
  const content = widget.locator('.cm-content');
  await expect(content).toBeFocused();
  return content;
}

/** Everything a learner checks at one step: the marked line, the explanation and every state table. */
const snapshot = async (widget: Locator) => ({
  line: await widget.locator('.loop-code li[aria-current="step"]').allInnerTexts(),
  explain: await widget.locator('[data-part="explain"]').innerText(),
  tables: await widget.locator('.loop-state').allInnerTexts(),
});

/** What the simulated client `name` has received, as its row in the Clients table shows it ('' before it exists). */
const receivedBy = (widget: Locator, name: string) =>
  widget.evaluate((root, client) => {
    for (const table of root.querySelectorAll<HTMLTableElement>('table.loop-state')) {
      if (!(table.caption?.textContent ?? '').startsWith('Clients')) continue;
      for (const row of table.tBodies[0]?.rows ?? []) if (row.cells[0]?.textContent === client) return row.cells[3]?.textContent ?? '';
    }
    return '';
  }, name);

test('edit lesson 5’s server to echo in upper case, run it, step to the echo and back exactly, and share it', async ({ page, browser }) => {
  const problems = watchConsole(page);
  const widget = await selectorsStepper(page);
  // Nothing of CodeMirror is on the page until the editor opens.
  await expect(widget.locator('.cm-editor')).toHaveCount(0);
  await openEditor(widget);
  await widget.locator('.cm-line', { hasText: 'data.outb += recv_data' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('.upper()');
  await expect(status(widget)).toHaveAttribute('data-state', 'changed');
  await widget.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status(widget)).toHaveAttribute('data-state', 'ran');
  await expect(widget.locator('.loop-pane')).toHaveAttribute('data-edited', 'true');
  // The listing the stepper marks is the edited text.
  await expect(widget.locator('.loop-code')).toContainText('data.outb += recv_data.upper()');

  // Step to where A's echo has arrived: its client row shows the changed bytes.
  const end = await lastStep(widget);
  await seek(widget, end);
  expect(await receivedBy(widget, 'A')).toBe("b'HI FROM A\\nBYE\\n'");
  let echoed = end;
  for (let step = 0; step <= end; step += 10) {
    await seek(widget, step);
    if ((await receivedBy(widget, 'A')).includes('HI FROM A')) {
      echoed = step;
      break;
    }
  }
  expect(echoed).toBeLessThan(end);

  // Step back is exact.
  const forward = widget.getByRole('button', { name: 'Step forward' });
  const back = widget.getByRole('button', { name: 'Step back' });
  const before = await snapshot(widget);
  for (let i = 0; i < 3; i++) await forward.click();
  for (let i = 0; i < 3; i++) await back.click();
  expect(await snapshot(widget)).toEqual(before);
  await widget.screenshot({ path: `${SHOTS}/program-editor.png` });

  // The address now holds this stepper's moment and the program, compressed; a new visitor gets both.
  await widget.getByRole('button', { name: 'Copy a link to this step' }).click();
  const shared = page.url();
  expect(new URL(shared).searchParams.get('loop-selectors-server.src')).toMatch(/^[A-Za-z0-9_-]+$/);
  const visitor = await browser.newPage();
  const reopened = await selectorsStepper(visitor, shared);
  await expect(position(reopened)).toHaveText(new RegExp(`step ${echoed} of ${end}`));
  await expect(reopened.locator('.loop-pane')).toHaveAttribute('data-edited', 'true');
  expect(await snapshot(reopened)).toEqual(before);
  await reopened.getByRole('button', { name: 'Edit this program' }).click();
  await expect(reopened.locator('.cm-content')).toContainText('data.outb += recv_data.upper()');

  // Back to the lesson's program: its own text, its own run.
  await reopened.getByRole('button', { name: 'Back to the lesson’s program' }).click();
  await expect(reopened.locator('.loop-pane')).toHaveAttribute('data-edited', 'false');
  await expect(reopened.locator('.cm-content')).not.toContainText('upper()');
  await seek(reopened, await lastStep(reopened));
  await expect.poll(() => receivedBy(reopened, 'A')).toBe("b'hi from A\\nbye\\n'");
  await visitor.close();
  expect(problems).toEqual([]);
});

test('a syntax error and an unsupported line each get one message with line and column, and nothing runs', async ({ page }) => {
  const widget = await selectorsStepper(page);
  await openEditor(widget);
  const lesson = await page.evaluate(() => fetch('/programs/selectors_server.py').then((response) => response.text()));
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(lesson.replace('while True:', 'while True'));
  // Ctrl-Enter runs from the keyboard.
  await page.keyboard.press('Control+Enter');
  await expect(status(widget)).toHaveAttribute('data-state', 'problem');
  await expect(status(widget)).toContainText(/Line \d+, column \d+/);
  // The line is marked in the gutter, and the place in the line.
  await expect(widget.locator('.cm-lint-marker-error')).toHaveCount(1);
  await expect(widget.locator('.cm-lintRange-error, .cm-lintPoint-error')).toHaveCount(1);
  await expect(widget.locator('.loop-pane')).toHaveAttribute('data-edited', 'false');
  await widget.locator('.loop-editor').screenshot({ path: `${SHOTS}/program-editor-problem.png` });

  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('import socket\n\n@staticmethod\ndef main():\n    pass\n');
  await page.keyboard.press('Control+Enter');
  await expect(status(widget)).toHaveAttribute('data-state', 'problem');
  await expect(status(widget)).toContainText('Line 3, column 1');
  await expect(widget.locator('.loop-pane')).toHaveAttribute('data-edited', 'false');
});

test('a loop that never blocks stops at the step cap, and an exception ends with its traceback', async ({ page }) => {
  const widget = await selectorsStepper(page);
  const editor = await openEditor(widget);
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('n = 0\nwhile True:\n    n += 1\n');
  await page.keyboard.press('Control+Enter');
  await expect(status(widget)).toHaveAttribute('data-state', 'step-cap');
  await status(widget).getByRole('button').click();
  await expect(widget.locator('[data-part="explain"]')).toContainText(String(await lastStep(widget)));

  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('data = b"hello"\nprint(data + "!")\n');
  await page.keyboard.press('Control+Enter');
  await expect(status(widget)).toHaveAttribute('data-state', 'exception');
  await status(widget).getByRole('button').click();
  const output = widget.getByLabel('Program output');
  await expect(output).toContainText('Traceback (most recent call last):');
  await expect(output).toContainText('TypeError');
  // Closing the editor returns focus to the button that opened it.
  await widget.getByRole('button', { name: 'Close the editor' }).click();
  await expect(widget.getByRole('button', { name: 'Edit this program' })).toBeFocused();
  await expect(widget.locator('[data-part="editor"]')).toBeHidden();
});

for (const [scheme, width] of [
  ['light', 1280],
  ['dark', 390],
] as const) {
  test(`the open editor, a problem and an edited run pass axe in ${scheme} at ${width} px`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 844 });
    const widget = await selectorsStepper(page);
    await openEditor(widget);
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('import socket\nsock = socket.socket(\n');
    await page.keyboard.press('Control+Enter');
    await expect(status(widget)).toHaveAttribute('data-state', 'problem');
    await widget.screenshot({ path: `${SHOTS}/program-editor-${scheme}-${width}.png` });
    const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
    const check = async () => {
      const { violations } = await new AxeBuilder({ page }).include('loop-stepper[data-key="loop-selectors-server"]').withTags(tags).analyze();
      return violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
    };
    expect(await check()).toEqual([]);
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('print("hi")\n');
    await page.keyboard.press('Control+Enter');
    await expect(status(widget)).toHaveAttribute('data-state', 'ran');
    expect(await check()).toEqual([]);
    // Nothing overflows the page on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  });
}
