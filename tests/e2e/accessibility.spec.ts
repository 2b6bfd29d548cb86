import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const PAGES = [
  '/',
  '/search/?q=backlog',
  '/404.html',
  '/lessons/what-is-a-socket/',
  '/lessons/echo-server/',
  '/lessons/handshake-and-goodbye/',
  '/lessons/blocking-and-non-blocking/',
  '/lessons/selectors/',
  '/lessons/chat-server-with-threads/',
  '/lessons/messages-on-a-byte-stream/',
  '/lessons/asyncio-stepped/',
  '/lessons/readiness-and-completion/',
  '/lessons/designing-a-socket-api/',
];

/** WCAG 2.2 A and AA, and axe's best practices (landmarks, headings, regions). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Brings every widget to life as a learner would: scrolled into view, loaded, and used a little. */
async function wakeWidgets(page: Page): Promise<void> {
  for (const stepper of await page.locator('tcp-stepper, loop-stepper').all()) {
    await stepper.scrollIntoViewIfNeeded();
    await expect(stepper).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
    await stepper.getByRole('button', { name: 'Step forward' }).click();
    await stepper.getByRole('button', { name: 'Step forward' }).click();
  }
  for (const lab of await page.locator('echo-lab').all()) {
    await lab.scrollIntoViewIfNeeded();
    await expect(lab).toHaveAttribute('data-state', 'open', { timeout: 20_000 });
    await lab.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('nc echo\n');
    await expect.poll(() => lab.locator('.xterm-rows').innerText()).toContain('connected');
    await page.keyboard.type('hello\n');
  }
}

for (const scheme of ['light', 'dark'] as const) {
  for (const path of PAGES) {
    test(`axe finds nothing on ${path} in ${scheme}`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(path);
      await wakeWidgets(page);
      const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
      const found = violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
      expect(found).toEqual([]);
    });
  }
}
