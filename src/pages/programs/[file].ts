import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIRoute } from 'astro';
import { PROGRAMS_DIR, programFiles } from '../../programs.ts';

export async function getStaticPaths() {
  return (await programFiles()).map((file) => ({ params: { file } }));
}

export const GET: APIRoute = async ({ params }) =>
  new Response(await readFile(join(PROGRAMS_DIR, params.file ?? '')), { headers: { 'Content-Type': 'text/x-python; charset=utf-8' } });
