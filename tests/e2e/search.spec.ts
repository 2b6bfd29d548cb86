import { expect, test } from '@playwright/test';
import { watchConsole } from './support.ts';

test('the header search finds a lesson by a word in its body, and the result opens it', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('/lessons/what-is-a-socket/');
  const box = page.getByRole('searchbox', { name: 'Search the course' });
  // "waitress" is in one lesson only: the journal pictures select() as a waitress in lesson 5.
  await box.fill('waitress');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\/\?q=waitress$/);
  await expect(page.locator('[data-search-status]')).toHaveText('1 lesson mentions “waitress”.');
  const results = page.locator('[data-search-results] li');
  await expect(results).toHaveCount(1);
  await expect(results.locator('mark').first()).toHaveText(/waitress/i);

  // Typing on the search page searches again, without a reload.
  await page.getByLabel('Words to find').fill('backlog');
  await expect(page.locator('[data-search-status]')).toHaveText(/^[1-9][0-9]* lessons mention “backlog”\.$/);
  await page.getByLabel('Words to find').fill('zzzqqq');
  await expect(page.locator('[data-search-status]')).toHaveText('No lesson mentions “zzzqqq”.');
  await page.getByLabel('Words to find').fill('waitress');
  await results.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/lessons\/selectors\/$/);
  expect(problems).toEqual([]);
});
