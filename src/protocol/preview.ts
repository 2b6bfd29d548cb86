/** Longest preview of a read or write that an event carries, in output characters. */
export const PREVIEW_CHARS = 32;

const NAMED_ESCAPES: Record<number, string> = { 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x5c: '\\\\' };

/**
 * A short, printable, escaped rendering of a chunk of bytes, as a learner would read it
 * in a packet dump: `hi\n`, `\x00\xff`. Cut at a whole escape and marked with `…`.
 */
export function previewBytes(bytes: Uint8Array, maxChars: number = PREVIEW_CHARS): string {
  let out = '';
  for (const byte of bytes) {
    const piece =
      NAMED_ESCAPES[byte] ??
      (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`);
    if (out.length + piece.length > maxChars) return `${out}…`;
    out += piece;
  }
  return out;
}
