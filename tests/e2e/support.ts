import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

/** Screenshots of each run, for a person to look at; not committed. */
export const SHOTS = 'tests/e2e/screenshots';
mkdirSync(SHOTS, { recursive: true });

/** Collects console errors, warnings and uncaught exceptions; a test ends by expecting none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Where keyboard focus is, as the sequence diagrams mark their arrows and marks. */
export type Focused = { item: string | null; inDiagram: boolean; tabindex: string | null; role: string | null; pressed: string | null };

export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const active = document.activeElement;
    return {
      item: active?.getAttribute('data-item') ?? null,
      inDiagram: Boolean(active?.closest('.lab-diagram')),
      tabindex: active?.getAttribute('tabindex') ?? null,
      role: active?.getAttribute('role') ?? null,
      pressed: active?.getAttribute('aria-pressed') ?? null,
    };
  });
}
