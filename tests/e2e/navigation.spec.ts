import { expect, test } from '@playwright/test';
import { courseLessons } from './lessons.ts';
import { watchConsole } from './support.ts';

const LESSONS = courseLessons();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the sidebar lists the course in order, marks this lesson, and jumps to its lab and sections', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/lessons/echo-server/');
  const course = page.getByRole('navigation', { name: 'Course' });
  // Every lesson in content/lessons, in the order their frontmatter gives: adding one needs no edit here.
  expect(LESSONS.length).toBeGreaterThanOrEqual(7);
  await expect(course.getByRole('link')).toHaveText(LESSONS.map((lesson) => new RegExp(escape(lesson.title))));
  expect(await course.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(LESSONS.map((lesson) => lesson.path));
  await expect(course.locator('[aria-current="page"]')).toHaveText(/An echo server's life/);
  const onPage = page.getByRole('navigation', { name: 'On this page' });
  await onPage.getByRole('link', { name: 'Lab', exact: true }).click();
  await expect(page.locator('echo-lab')).toBeInViewport();
  expect(new URL(page.url()).hash).toBe('#lab');
  // The jump link, not the section of the same name listed under it.
  await onPage.locator('.course-nav-jumps').getByRole('link', { name: 'Exercises', exact: true }).click();
  await expect(page.locator('#exercises')).toBeInViewport();
  await course.getByRole('link', { name: /Blocking and non-blocking/ }).click();
  await expect(page).toHaveURL(/\/lessons\/blocking-and-non-blocking\/$/);
  expect(problems).toEqual([]);
});

test('each lesson says where it stands and links to the lessons before and after it', async ({ browser }) => {
  test.setTimeout(90_000);
  // The pager and the eyebrow are static HTML, so the pages are loaded without scripts, which keeps a walk through every lesson quick.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const [index, lesson] of LESSONS.entries()) {
    await page.goto(lesson.path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(lesson.title);
    await expect(page.locator('.lesson-header .eyebrow')).toHaveText(`Lesson ${lesson.order} of ${LESSONS.length}`);
    const pager = page.getByRole('navigation', { name: 'Lessons' });
    const previous = LESSONS[index - 1];
    const next = LESSONS[index + 1];
    if (previous === undefined) await expect(pager.locator('a[rel="prev"]')).toHaveCount(0);
    else {
      await expect(pager.locator('a[rel="prev"]')).toHaveAttribute('href', previous.path);
      await expect(pager.locator('a[rel="prev"]')).toContainText(previous.title);
    }
    if (next === undefined) await expect(pager.locator('a[rel="next"]')).toHaveCount(0);
    else {
      await expect(pager.locator('a[rel="next"]')).toHaveAttribute('href', next.path);
      await expect(pager.locator('a[rel="next"]')).toContainText(next.title);
    }
  }
  await context.close();
});

test('on a phone the sidebar is a menu that opens, jumps, and closes', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/lessons/handshake-and-goodbye/');
  const course = page.getByRole('navigation', { name: 'Course' });
  await expect(course).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.click();
  await expect(course).toBeVisible();
  await page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Saying goodbye' }).click();
  await expect(course).toBeHidden();
  await expect(page.locator('#saying-goodbye')).toBeInViewport();
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(course).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(course).toBeHidden();
});

test('a lesson marked done stays ticked after a reload, and the home page brings the learner back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/lessons/what-is-a-socket/');
  const done = page.getByRole('button', { name: 'Mark this lesson done' });
  await done.click();
  await expect(page.getByRole('button', { name: '✓ Done' })).toHaveAttribute('aria-pressed', 'true');
  await page.goto('/lessons/selectors/');
  await page.evaluate(() => scrollTo({ top: 3000 }));
  await expect.poll(() => page.evaluate(() => localStorage.getItem('socket-playground:progress'))).toContain('"scrollY":3000');
  await page.reload();
  const course = page.getByRole('navigation', { name: 'Course' });
  await expect(course.getByRole('link', { name: /What a socket is.*\(done\)/ })).toHaveAttribute('data-done', '');
  await expect(course.getByRole('link', { name: /Selectors/ })).not.toHaveAttribute('data-done');

  await page.goto('/');
  await expect(page.getByRole('link', { name: /What a socket is/ })).toContainText('done');
  await page.getByRole('link', { name: /Continue where you left off: Selectors/ }).click();
  await expect(page).toHaveURL(/\/lessons\/selectors\/$/);
  await expect.poll(() => page.evaluate(() => Math.round(scrollY))).toBeGreaterThan(2500);

  await page.goto('/lessons/what-is-a-socket/');
  await page.getByRole('button', { name: '✓ Done' }).click();
  await expect(page.getByRole('button', { name: 'Mark this lesson done' })).toHaveAttribute('aria-pressed', 'false');
});
