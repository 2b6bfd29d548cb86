import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as pagefind from 'pagefind';

/**
 * Indexes the built site with Pagefind at the end of `astro build`, whatever --outDir says: the search
 * page reads dist/pagefind/ in the browser, so search needs no server.
 */
export default function searchIntegration(): AstroIntegration {
  return {
    name: 'socket-playground-search',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        const created = await pagefind.createIndex({});
        const { index } = created;
        if (index === undefined) throw new Error(`pagefind: ${created.errors.join('; ')}`);
        const added = await index.addDirectory({ path: site });
        if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
        const written = await index.writeFiles({ outputPath: join(site, 'pagefind') });
        if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
        await pagefind.close();
        logger.info(`search index: ${added.page_count} pages`);
      },
    },
  };
}
