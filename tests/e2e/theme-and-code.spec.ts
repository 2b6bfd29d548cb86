import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { watchConsole } from './support.ts';

test('a picked theme applies before the first paint, survives a reload, and System follows the machine', async ({ page }) => {
  const problems = watchConsole(page);
  await page.emulateMedia({ colorScheme: 'light' });
  const response = await page.goto('/lessons/what-is-a-socket/');
  // The inline theme script is allowed by its hash, and only by that.
  const html = (await response?.text()) ?? '';
  const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([^<]*)<\/script>/g)].map((match) => match[1] ?? '');
  expect(inline).toHaveLength(1);
  const hash = createHash('sha256').update(inline[0] ?? '').digest('base64');
  expect(response?.headers()['content-security-policy']).toContain(`'sha256-${hash}'`);

  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const dark = await background();
  expect(dark).not.toBe(light);

  // Checked as the page is parsed: the stylesheet and the pick are in place before anything paints.
  await page.addInitScript(() =>
    document.addEventListener('readystatechange', () => {
      if (document.readyState === 'interactive')
        (window as unknown as { firstTheme: string }).firstTheme = document.documentElement.dataset.theme ?? 'none';
    }),
  );
  await page.reload();
  expect(await page.evaluate(() => (window as unknown as { firstTheme: string }).firstTheme)).toBe('dark');
  expect(await background()).toBe(dark);
  await expect(page.getByLabel('Theme')).toHaveValue('dark');

  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background()).toBe(light);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).toBe(dark);
  await page.getByLabel('Theme').selectOption('light');
  expect(await background()).toBe(light);
  expect(problems).toEqual([]);
});

test('every code block has a Copy button that copies its code', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL ?? '').origin });
  await page.goto('/lessons/echo-server/');
  const blocks = page.locator('.prose pre');
  await expect(page.locator('.prose .code-copy')).toHaveCount(await blocks.count());
  const first = page.getByRole('button', { name: 'Copy code' }).first();
  await first.click();
  await expect(first).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith('import socket\n')).toBe(true);
  expect(copied).toContain('conn.sendall(data)');
});

test("a lesson's programs download as the files in content/programs", async ({ page }) => {
  await page.goto('/lessons/selectors/');
  const link = page.getByRole('link', { name: 'Download selectors_server.py' });
  await expect(link).toHaveAttribute('download', 'selectors_server.py');
  const response = await page.request.get((await link.getAttribute('href')) ?? '');
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe(readFileSync('content/programs/selectors_server.py', 'utf8'));
});
