/**
 * The model carries payloads as byte strings: each character is one byte (0–255), so a length,
 * a sequence number or a window counts bytes as TCP does, whatever the text was.
 */

export function utf8Bytes(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

/** Text for people; a character split between two segments shows as U+FFFD. */
export function utf8Text(bytes: string): string {
  return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}
