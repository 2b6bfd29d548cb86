import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import { THEME_BOOT } from '../src/theme-boot.ts';
import { MAX_CACHED_FILE_BYTES } from './limits.ts';
import { requestPath } from './sandbox.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.py': 'text/x-python; charset=utf-8',
  '.xml': 'application/xml',
};

/** The one inline script (the theme, applied before the first paint), allowed by its hash; and Pagefind's search, which is WebAssembly. */
const THEME_BOOT_SOURCE = `'sha256-${createHash('sha256').update(THEME_BOOT).digest('base64')}'`;

/**
 * Sent with every response. The site runs only its own scripts (Astro emits no others inline); inline
 * styles are allowed because Shiki, d3 and xterm set style attributes. The page may open a
 * WebSocket to its own origin and nothing else, and no other site may frame, open or embed it.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    `script-src 'self' ${THEME_BOOT_SOURCE} 'wasm-unsafe-eval'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

type Found = { path: string; size: number; mtimeMs: number };
type Encoding = 'br' | 'gzip';

/**
 * A file's bytes as read for one (size, mtime), and compressed once per encoding asked for:
 * concurrent requests share the read; compression runs in the background, and until it is done the
 * file goes out as it is, so the first visitor never waits for brotli.
 */
type Cached = { size: number; mtimeMs: number; body: Promise<Buffer>; encoded: Map<Encoding, Buffer | 'compressing'> };

const ENCODERS: Record<Encoding, (data: Buffer) => Promise<Buffer>> = {
  // Quality 9 of 11: within a few per cent of the best, at a fraction of its time, once per file.
  br: (data) => promisify(brotliCompress)(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }),
  gzip: (data) => promisify(gzip)(data, { level: 9 }),
};

/** Text compresses well; images and fonts are compressed already. */
function compressible(contentType: string): boolean {
  return /^(text\/|application\/(json|xml))|image\/svg\+xml/.test(contentType);
}

/** The encoding to send: brotli where the browser takes it, else gzip, else none. */
export function chooseEncoding(accept: string | undefined): Encoding | undefined {
  const taken = new Set<string>();
  for (const part of (accept ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) taken.add(name.trim());
  }
  if (taken.has('br')) return 'br';
  if (taken.has('gzip')) return 'gzip';
  return undefined;
}

async function fileAt(path: string): Promise<Found | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return { path, size: info.size, mtimeMs: info.mtimeMs };
  if (info?.isDirectory()) {
    const index = join(path, 'index.html');
    const indexInfo = await stat(index).catch(() => undefined);
    if (indexInfo?.isFile()) return { path: index, size: indexInfo.size, mtimeMs: indexInfo.mtimeMs };
  }
  return undefined;
}

function isInside(path: string, base: string): boolean {
  return path === base || path.startsWith(base + sep);
}

/**
 * Serves the built site from `root`: GET and HEAD only, nothing outside root (symlinks included),
 * Astro's hashed assets cached for a year, everything with a validator so a revisit costs a 304.
 * Files are read once into memory and served from there while unchanged on disk, so a response
 * holds no file descriptor however slowly, or never, its client reads; a file too large to keep is
 * streamed with pipeline(), which closes it when the response ends early. Text goes out compressed
 * with brotli or gzip, whichever the browser takes, each compressed once.
 */
export function staticFiles(root: string): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const base = resolve(root);
  const realBase = realpath(base).catch(() => base);
  const cache = new Map<string, Cached>();

  function entry(found: Found): Cached {
    const hit = cache.get(found.path);
    if (hit !== undefined && hit.size === found.size && hit.mtimeMs === found.mtimeMs) return hit;
    const body = readFile(found.path);
    const made: Cached = { size: found.size, mtimeMs: found.mtimeMs, body, encoded: new Map() };
    cache.set(found.path, made);
    // A failed read is not kept: the next request tries again.
    body.catch(() => {
      if (cache.get(found.path) === made) cache.delete(found.path);
    });
    return made;
  }

  /** The file's bytes, compressed when asked for and worth it; undefined for a file too large to keep. */
  async function body(found: Found, encoding: Encoding | undefined): Promise<{ data: Buffer; encoding?: Encoding } | undefined> {
    if (found.size > MAX_CACHED_FILE_BYTES) return undefined;
    const cached = entry(found);
    const data = await cached.body;
    if (encoding === undefined) return { data };
    const encoded = cached.encoded.get(encoding);
    if (encoded instanceof Buffer) return { data: encoded, encoding };
    if (encoded === undefined) {
      cached.encoded.set(encoding, 'compressing');
      ENCODERS[encoding](data).then(
        (compressed) => cached.encoded.set(encoding, compressed),
        () => cached.encoded.delete(encoding),
      );
    }
    return { data };
  }

  async function resolveFile(pathname: string): Promise<Found | undefined> {
    if (pathname.includes('\0')) return undefined;
    const target = normalize(join(base, pathname));
    if (!isInside(target, base)) return undefined;
    const found = await fileAt(target);
    if (found === undefined) return undefined;
    const real = await realpath(found.path).catch(() => undefined);
    return real !== undefined && isInside(real, await realBase) ? found : undefined;
  }

  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' })
        .end('method not allowed\n');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(requestPath(request.url));
    } catch {
      response.writeHead(400, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('bad request path\n');
      return;
    }
    const found = await resolveFile(pathname);
    const served = found ?? (await fileAt(join(base, '404.html')));
    if (served === undefined) {
      response.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const etag = `W/"${served.size.toString(16)}-${Math.trunc(served.mtimeMs).toString(16)}"`;
    const headers = {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[extname(served.path)] ?? 'application/octet-stream',
      'Cache-Control': pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
    };
    if (found !== undefined && request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      return;
    }
    const text = compressible(headers['Content-Type']);
    const encoding = text ? chooseEncoding(request.headers['accept-encoding']) : undefined;
    const sent = await body(served, encoding);
    response.writeHead(found === undefined ? 404 : 200, {
      ...headers,
      ...(text ? { Vary: 'Accept-Encoding' } : {}),
      ...(sent?.encoding === undefined ? {} : { 'Content-Encoding': sent.encoding }),
      'Content-Length': sent?.data.length ?? served.size,
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    if (sent !== undefined) {
      response.end(sent.data);
      return;
    }
    pipeline(createReadStream(served.path), response, () => undefined);
  };
}
