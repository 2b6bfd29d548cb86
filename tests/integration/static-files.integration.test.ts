import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playground } from '../../server/app.ts';
import { chooseEncoding } from '../../server/static-files.ts';
import { startTestPlayground } from './harness.ts';

/** Polls an asynchronous check every 20 ms for up to 5 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, headers, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const script = `export const lesson = ${JSON.stringify('a socket is an endpoint '.repeat(2000))};\n`;
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(2000).fill(7)]);
let playground: Playground;
beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'playground-static-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>test</title>');
  mkdirSync(join(dist, '_astro'));
  writeFileSync(join(dist, '_astro', 'lesson.Ab12Cd.js'), script);
  writeFileSync(join(dist, 'picture.png'), png);
  playground = await startTestPlayground({ dist });
});
afterAll(async () => {
  await playground.close();
});

describe('the built site over HTTP', () => {
  it('sends text compressed with brotli or gzip, whichever the browser takes, and the same bytes', async () => {
    const plain = await get(playground.port, '/_astro/lesson.Ab12Cd.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    // The first asker gets the file as it is while it is compressed in the background.
    const first = await get(playground.port, '/_astro/lesson.Ab12Cd.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(first.body.toString()).toBe(script);
    let br = first;
    await until(async () => {
      br = await get(playground.port, '/_astro/lesson.Ab12Cd.js', { 'Accept-Encoding': 'gzip, deflate, br' });
      return br.headers['content-encoding'] === 'br';
    }, 'the brotli copy');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    let gz = br;
    await until(async () => {
      gz = await get(playground.port, '/_astro/lesson.Ab12Cd.js', { 'Accept-Encoding': 'gzip' });
      return gz.headers['content-encoding'] === 'gzip';
    }, 'the gzip copy');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
  });

  it('leaves images as they are', async () => {
    const image = await get(playground.port, '/picture.png', { 'Accept-Encoding': 'br, gzip' });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.body.equals(png)).toBe(true);
  });

  it('caches hashed assets for a year, revalidates pages, and answers a conditional request with 304', async () => {
    const asset = await get(playground.port, '/_astro/lesson.Ab12Cd.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get(playground.port, '/');
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = String(page.headers.etag);
    const again = await get(playground.port, '/', { 'If-None-Match': etag, 'Accept-Encoding': 'br' });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await get(playground.port, '/_astro/lesson.Ab12Cd.js', { 'Accept-Encoding': 'br' }, 'HEAD');
    const body = await get(playground.port, '/_astro/lesson.Ab12Cd.js', { 'Accept-Encoding': 'br' });
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(body.headers['content-length']);
  });
});

describe('chooseEncoding', () => {
  it('prefers brotli, takes gzip, and honours q=0', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
  });
});
