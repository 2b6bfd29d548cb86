import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SHOTS, watchConsole } from './support.ts';

/** Lesson 1 has exercises and no widgets, so these tests wait for nothing but the page. */
const LESSON = '/lessons/what-is-a-socket/';

const LESSONS = [
  '/lessons/what-is-a-socket/',
  '/lessons/echo-server/',
  '/lessons/handshake-and-goodbye/',
  '/lessons/blocking-and-non-blocking/',
  '/lessons/selectors/',
  '/lessons/chat-server-with-threads/',
  '/lessons/messages-on-a-byte-stream/',
  '/lessons/asyncio-stepped/',
  '/lessons/designing-a-socket-api/',
];

/** The same rules as tests/e2e/accessibility.spec.ts: WCAG 2.2 A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const exercise = (page: Page, n: number): Locator => page.locator('.exercise').filter({ has: page.locator(`#exercise-${n}`) });
const summary = (scope: Locator, name: RegExp): Locator => scope.locator('summary').filter({ hasText: name });
/** The text of the element that has focus, or its tag when it has none worth naming. */
const focused = (page: Page) => page.evaluate(() => (document.activeElement?.textContent ?? '').trim() || document.activeElement?.tagName);

test('the model answer stays hidden until the learner opens it, and its code is highlighted with a Copy button', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(LESSON);
  const first = exercise(page, 1);
  const answer = first.locator('.exercise-answer > .exercise-reveal');
  await expect(first.getByRole('heading', { level: 3 })).toHaveText(/^Exercise 1: \S/);
  await expect(answer).toBeHidden();
  await expect(first.locator('.exercise-answer')).not.toHaveAttribute('open');
  await summary(first, /^Show a model answer$/).click();
  await expect(answer).toBeVisible();
  const code = answer.locator('pre.astro-code[data-language="python"]');
  await expect(code).toBeVisible();
  await expect(code.locator('span[style*="--shiki-dark"]').first()).toBeAttached();
  await expect(answer.getByRole('button', { name: 'Copy code' }).first()).toBeVisible();
  expect(problems).toEqual([]);
});

test('hint 2 cannot be reached until hint 1 is open', async ({ page }) => {
  await page.goto(LESSON);
  const first = exercise(page, 1);
  const hints = first.locator('details.exercise-hint');
  await expect(hints).toHaveCount(2);
  await expect(summary(first, /^Hint 1 of 2$/)).toBeVisible();
  await expect(summary(first, /^Hint 2 of 2$/)).toBeHidden();
  // Hint 2's disclosure lives inside hint 1's content, not beside it.
  await expect(hints.nth(0).locator('details.exercise-hint')).toHaveCount(1);
  await summary(first, /^Hint 1 of 2$/).click();
  await expect(summary(first, /^Hint 2 of 2$/)).toBeVisible();
  await expect(hints.nth(1).locator('.exercise-reveal')).toBeHidden();
  await summary(first, /^Hint 2 of 2$/).click();
  await expect(hints.nth(1).locator('.exercise-reveal')).toBeVisible();
});

test('keyboard only: Tab reaches each disclosure in turn and Enter opens it; a closed hint hides the next from Tab', async ({ page }) => {
  await page.goto(LESSON);
  const first = exercise(page, 1);
  // Clicking plain text moves the sequential focus starting point there, as a reader's caret would.
  await first.locator('.exercise-task p').first().click();
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('Hint 1 of 2');
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('Show a model answer');
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toBe('Hint 1 of 2');
  await page.keyboard.press('Enter');
  await expect(first.locator('details.exercise-hint').first()).toHaveAttribute('open');
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('Hint 2 of 2');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('Show a model answer');
  await page.keyboard.press('Enter');
  await expect(first.locator('.exercise-answer > .exercise-reveal')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(first.locator('.exercise-answer > .exercise-reveal')).toBeHidden();
});

test('without JavaScript every lesson ends with exercises whose hints and answers open', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const path of LESSONS) {
    await page.goto(path);
    const exercises = page.locator('.exercise');
    expect(await exercises.count(), path).toBeGreaterThanOrEqual(2);
    // The exercises come after every other section but the closing summary.
    const headings = await page.locator('.prose h2').allTextContents();
    expect(headings.indexOf('Exercises'), path).toBeGreaterThanOrEqual(headings.length - 2);
    for (const one of await exercises.all()) {
      await expect(one.getByRole('heading', { level: 3 })).toHaveText(/^Exercise \d+: \S/);
      await expect(summary(one, /^Hint 1 of [1-3]$/)).toBeVisible();
      await expect(summary(one, /^Show a model answer$/)).toBeVisible();
      await expect(one.locator('.exercise-answer > .exercise-reveal')).toBeHidden();
    }
  }
  await page.goto(LESSON);
  const first = exercise(page, 1);
  await summary(first, /^Hint 1 of 2$/).click();
  await summary(first, /^Hint 2 of 2$/).click();
  await summary(first, /^Show a model answer$/).click();
  await expect(first.locator('.exercise-answer > .exercise-reveal')).toBeVisible();
  await expect(first.locator('.exercise-answer pre.astro-code').first()).toBeVisible();
  await context.close();
});

test("lesson 2's echo server and client download as exactly the text the lesson shows", async ({ page }) => {
  await page.goto('/lessons/echo-server/');
  for (const file of ['echo_server.py', 'echo_client.py']) {
    const figure = page.locator('figure.program').filter({ has: page.locator('figcaption code', { hasText: file }) });
    const link = figure.getByRole('link', { name: 'Download' });
    await expect(link).toHaveAttribute('download', file);
    const shown = await figure.locator('pre').innerText();
    const response = await page.request.get((await link.getAttribute('href')) ?? '');
    expect(response.ok()).toBe(true);
    const served = await response.text();
    // The listing drops only the file's final newline.
    expect(served).toBe(`${shown}\n`);
    expect(served).toBe(readFileSync(`content/programs/${file}`, 'utf8'));
  }
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds nothing with every hint and answer open, in ${scheme}`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(LESSON);
    // One at a time: each hint's summary shows only once the hint before it is open.
    const closed = page.locator('.exercise details:not([open]) > summary:visible');
    while ((await closed.count()) > 0) await closed.first().click();
    await expect(page.locator('.exercise details:not([open])')).toHaveCount(0);
    await page.locator('#exercise-1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/exercises-open-${scheme}.png` });
    const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
    expect(violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`))).toEqual([]);
  });
}
