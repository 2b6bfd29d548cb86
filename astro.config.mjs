import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import sandbox from './server/astro-integration.ts';

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  server: { host: '127.0.0.1', port: 4321 },
  integrations: [mdx(), sandbox()],
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
});
