import { THEME_KEY } from '../theme-boot.ts';

export type ThemePick = 'system' | 'light' | 'dark';

const asPick = (value: string | null): ThemePick => (value === 'light' || value === 'dark' ? value : 'system');

/** The header's theme switch: the pick is kept in localStorage and applied as <html data-theme>. */
export function mountThemeSwitch(select: HTMLSelectElement): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(THEME_KEY);
  } catch {
    // Storage refused: the switch still works for this page.
  }
  select.value = asPick(stored);
  select.addEventListener('change', () => {
    const pick = asPick(select.value);
    if (pick === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = pick;
    try {
      if (pick === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, pick);
    } catch {
      // Not remembered; this page still shows the pick.
    }
  });
  select.closest<HTMLElement>('[hidden]')?.removeAttribute('hidden');
}
