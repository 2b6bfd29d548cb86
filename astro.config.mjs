import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import sandbox from './server/astro-integration.ts';
import search from './server/search-integration.ts';

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  server: { host: '127.0.0.1', port: 4321 },
  integrations: [mdx(), sandbox(), search()],
  // The server's CSP runs no inline script but the hashed theme one: Astro must emit every other as a file.
  vite: { build: { assetsInlineLimit: 0 } },
  markdown: {
    // The high-contrast GitHub themes: every token reaches 4.5:1 (the plain ones' comments and keyword arguments do not).
    shikiConfig: { themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } },
  },
});
