import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
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

/**
 * Sent with every response. The site runs only its own scripts (Astro emits no inline ones); inline
 * styles are allowed because Shiki, d3 and xterm set style attributes. The page may open a
 * WebSocket to its own origin and nothing else, and no other site may frame, open or embed it.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
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
/** A file's bytes as read for one (size, mtime): concurrent requests share one read. */
type Cached = { size: number; mtimeMs: number; body: Promise<Buffer> };

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
 * streamed with pipeline(), which closes it when the response ends early.
 */
export function staticFiles(root: string): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const base = resolve(root);
  const realBase = realpath(base).catch(() => base);
  const cache = new Map<string, Cached>();

  async function body(found: Found): Promise<Buffer | undefined> {
    if (found.size > MAX_CACHED_FILE_BYTES) return undefined;
    const hit = cache.get(found.path);
    if (hit !== undefined && hit.size === found.size && hit.mtimeMs === found.mtimeMs) return hit.body;
    const body = readFile(found.path);
    cache.set(found.path, { size: found.size, mtimeMs: found.mtimeMs, body });
    // A failed read is not kept: the next request tries again.
    body.catch(() => {
      if (cache.get(found.path)?.body === body) cache.delete(found.path);
    });
    return body;
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
    const data = await body(served);
    response.writeHead(found === undefined ? 404 : 200, { ...headers, 'Content-Length': data?.length ?? served.size });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    if (data !== undefined) {
      response.end(data);
      return;
    }
    pipeline(createReadStream(served.path), response, () => undefined);
  };
}
