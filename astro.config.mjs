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
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
});
