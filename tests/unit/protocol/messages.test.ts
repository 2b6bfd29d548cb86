import { describe, expect, it } from 'vitest';
import { MAX_SEND_BYTES, parseClientMessage, serverMessage } from '../../../src/protocol/messages.ts';
import { socketEvent } from '../../../src/protocol/events.ts';
import { previewBytes } from '../../../src/protocol/preview.ts';

describe('parseClientMessage', () => {
  it('accepts each well-formed request', () => {
    for (const message of [
      { type: 'hello', version: 1 },
      { type: 'connect', id: 1, target: 'echo' },
      { type: 'send', id: 2, socket: 's3', data: 'hi\n' },
      { type: 'shutdown', id: 3, socket: 's3' },
      { type: 'close', id: 4, socket: 's3' },
      { type: 'sockets', id: 5 },
    ]) {
      expect(parseClientMessage(JSON.stringify(message))).toEqual({ ok: true, message });
    }
  });

  it('names bad JSON', () => {
    expect(parseClientMessage('{"type":')).toEqual({ ok: false, code: 'bad-json', message: 'message is not valid JSON' });
  });

  it('names an unknown type and lists the known ones', () => {
    const result = parseClientMessage('{"type":"format-disk","id":7}');
    expect(result).toMatchObject({ ok: false, code: 'bad-message', id: 7 });
    expect(!result.ok && result.message).toContain('unknown message type "format-disk"');
    expect(!result.ok && result.message).toContain('connect');
  });

  it('names a missing type', () => {
    const result = parseClientMessage('[1,2]');
    expect(!result.ok && result.message).toContain('unknown message type (missing)');
  });

  it('answers a type nested thousands deep without serializing it', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const depth of [4400, 30_000]) {
      const result = parseClientMessage(`{"type": ${deep(depth)}, "id": 7}`);
      expect(result).toMatchObject({ ok: false, code: 'bad-message', id: 7 });
      expect(!result.ok && result.message.length).toBeLessThan(200);
    }
    expect(parseClientMessage(`{"type":"send","id":1,"socket":"s2","data":${deep(30_000)}}`)).toMatchObject({
      ok: false,
      code: 'bad-message',
      id: 1,
    });
  });

  it('quotes at most 40 characters of an unknown type', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'x'.repeat(10_000) }));
    expect(!result.ok && result.message).toContain(`"${'x'.repeat(40)}…"`);
    expect(!result.ok && result.message.length).toBeLessThan(200);
  });

  it('names the field that is wrong', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'send', id: 1, socket: 'x', data: 'a' }));
    expect(result).toMatchObject({ ok: false, code: 'bad-message', id: 1 });
    expect(!result.ok && result.message).toContain('socket: a socket id looks like "s3"');
  });

  it('refuses a send larger than the cap, counting UTF-8 bytes', () => {
    const ok = parseClientMessage(JSON.stringify({ type: 'send', id: 1, socket: 's1', data: 'a'.repeat(MAX_SEND_BYTES) }));
    expect(ok.ok).toBe(true);
    const multibyte = 'é'.repeat(MAX_SEND_BYTES / 2 + 1);
    const result = parseClientMessage(JSON.stringify({ type: 'send', id: 1, socket: 's1', data: multibyte }));
    expect(!result.ok && result.message).toContain(`larger than ${MAX_SEND_BYTES} bytes`);
  });

  it('keeps a target as a plain string so the server can refuse it by name', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'connect', id: 1, target: '10.0.0.1:22' }))).toMatchObject({ ok: true });
  });
});

describe('server messages', () => {
  it('validate an events batch and reject a malformed event', () => {
    const event = { seq: 0, t: 12, kind: 'listen', socket: 's1', role: 'listener', origin: 'sandbox', local: '127.0.0.1:4000' };
    expect(serverMessage.safeParse({ type: 'events', events: [event] }).success).toBe(true);
    expect(socketEvent.safeParse({ ...event, kind: 'teleport' }).success).toBe(false);
    expect(socketEvent.safeParse({ ...event, t: -1 }).success).toBe(false);
  });
});

describe('previewBytes', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it('escapes what is not printable', () => {
    expect(previewBytes(bytes('hi\r\n\t\\'))).toBe('hi\\r\\n\\t\\\\');
    expect(previewBytes(new Uint8Array([0, 0x7f, 0xff]))).toBe('\\x00\\x7f\\xff');
  });
  it('cuts at a whole escape and marks the cut', () => {
    expect(previewBytes(bytes('abcdef'), 4)).toBe('abcd…');
    expect(previewBytes(bytes('abc\n'), 4)).toBe('abc…');
    expect(previewBytes(bytes('abcd'), 4)).toBe('abcd');
  });
});
