/**
 * A learner's edited program in a link: the text, deflated (the platform's CompressionStream, so no
 * library ships for it) and written in base64url, which URLs carry without escaping.
 */

/** The longest program the editor takes, in characters; the course's longest is under 2,000. */
export const MAX_SOURCE_CHARS = 20_000;
/** A link's compressed program, in base64url characters: far more than MAX_SOURCE_CHARS deflates to. */
export const MAX_PACKED_CHARS = 16_000;

export type UnpackResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly why: 'malformed' | 'too-long' };

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array | undefined> {
  const writer = stream.writable.getWriter();
  // Errors surface on the reading side; the writer's own promises must not go unhandled.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    // A link that inflates past the limit is refused before it is all in memory.
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The program as a link parameter. */
export async function packSource(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const packed = await pipe(bytes, new CompressionStream('deflate-raw'), Number.POSITIVE_INFINITY);
  return toBase64Url(packed ?? new Uint8Array());
}

/** A link parameter back to the program, or why it cannot be one. Never throws. */
export async function unpackSource(packed: string): Promise<UnpackResult> {
  if (packed.length > MAX_PACKED_CHARS) return { ok: false, why: 'too-long' };
  const bytes = fromBase64Url(packed);
  if (bytes === undefined) return { ok: false, why: 'malformed' };
  try {
    // UTF-8 takes at most 3 bytes for each UTF-16 unit, so this bounds the characters too.
    const inflated = await pipe(bytes, new DecompressionStream('deflate-raw'), MAX_SOURCE_CHARS * 3);
    if (inflated === undefined) return { ok: false, why: 'too-long' };
    const text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
    return text.length > MAX_SOURCE_CHARS ? { ok: false, why: 'too-long' } : { ok: true, text };
  } catch {
    return { ok: false, why: 'malformed' };
  }
}
