import { describe, expect, it } from 'vitest';
import type { SocketEvent } from '../../../../src/protocol/events.ts';
import { previewBytes } from '../../../../src/protocol/preview.ts';
import { PREVIEW_PLACEHOLDER, bytesFromPreview, findPeer, fromSandbox, unescapePreview } from '../../../../src/core/select-loop/index.ts';
import { checkRun, last, settle, loop } from './support/runs.ts';

let seq = 0;
function ev(kind: SocketEvent['kind'], socket: string, extra: Partial<SocketEvent> = {}): SocketEvent {
  return { seq: seq++, t: seq * 10, kind, socket, role: 'client', origin: 'terminal', ...extra };
}

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('preview unescaping', () => {
  it('reverses the sandbox’s own escaping exactly', () => {
    for (const raw of ['hi\n', 'a\\b', '\x00\xff\r\t', 'tab\there', 'x\\n is not a newline']) {
      expect(unescapePreview(previewBytes(bytesOf(raw)))).toBe(raw);
    }
  });

  it('pads a cut preview with the placeholder so the byte count stays exact', () => {
    const raw = 'a'.repeat(50) + '\n';
    const preview = previewBytes(bytesOf(raw));
    expect(preview.endsWith('…')).toBe(true);
    const bytes = bytesFromPreview(preview, raw.length);
    expect(bytes).toHaveLength(51);
    expect(bytes.startsWith('a'.repeat(32))).toBe(true);
    expect(bytes.slice(32)).toBe(PREVIEW_PLACEHOLDER.repeat(19));
  });
});

describe('sandbox events to simulator inputs', () => {
  it('keeps the terminal’s client sockets only, and closes each once', () => {
    const events: SocketEvent[] = [
      ev('listen', 'l1', { role: 'listener', origin: 'sandbox' }),
      ev('connect', 's3'),
      ev('connected', 's3'),
      ev('accept', 's4', { role: 'server', origin: 'sandbox' }),
      ev('write', 's3', { bytes: 3, preview: 'hi\\n' }),
      ev('read', 's4', { role: 'server', origin: 'sandbox', bytes: 3, preview: 'hi\\n' }),
      ev('write', 's4', { role: 'server', origin: 'sandbox', bytes: 3, preview: 'hi\\n' }),
      ev('read', 's3', { bytes: 3, preview: 'hi\\n' }),
      ev('connect', 's5'),
      ev('shutdown', 's3'),
      ev('fin', 's3'),
      ev('close', 's3'),
      ev('write', 's5', { bytes: 2, preview: '\\x00\\xff' }),
      ev('close', 's5'),
    ];
    expect(fromSandbox(events)).toEqual([
      { kind: 'connect', client: 's3' },
      { kind: 'send', client: 's3', data: 'hi\n' },
      { kind: 'connect', client: 's5' },
      { kind: 'close', client: 's3' },
      { kind: 'send', client: 's5', data: '\x00\xff' },
      { kind: 'close', client: 's5' },
    ]);
  });

  it('follows a client from outside the browser through the sandbox socket that accepted it', () => {
    const events: SocketEvent[] = [
      ev('connect', 's3'),
      ev('accept', 's4', { role: 'server', origin: 'sandbox', local: '127.0.0.1:4000', remote: '127.0.0.1:50001' }),
      ev('connected', 's3', { local: '127.0.0.1:50001', remote: '127.0.0.1:4000' }),
      ev('accept', 's6', { role: 'server', origin: 'sandbox', local: '127.0.0.1:4000', remote: '127.0.0.1:41234' }),
      ev('read', 's6', { role: 'server', origin: 'sandbox', bytes: 3, preview: 'yo\\n' }),
      ev('write', 's6', { role: 'server', origin: 'sandbox', bytes: 3, preview: 'yo\\n' }),
      ev('write', 's3', { bytes: 3, preview: 'hi\\n' }),
      ev('read', 's4', { role: 'server', origin: 'sandbox', bytes: 3, preview: 'hi\\n' }),
      ev('fin', 's6', { role: 'server', origin: 'sandbox' }),
      ev('close', 's6', { role: 'server', origin: 'sandbox' }),
    ];
    expect(fromSandbox(events)).toEqual([
      { kind: 'connect', client: 's3' },
      { kind: 'connect', client: '127.0.0.1:41234' },
      { kind: 'send', client: '127.0.0.1:41234', data: 'yo\n' },
      { kind: 'send', client: 's3', data: 'hi\n' },
      { kind: 'close', client: '127.0.0.1:41234' },
    ]);
  });

  it('drives the selectors server simulation with the learner’s real traffic', () => {
    const schedule = fromSandbox([
      ev('connect', 's3'),
      ev('write', 's3', { bytes: 6, preview: 'hello\\n' }),
      ev('connect', 's7'),
      ev('write', 's7', { bytes: 40, preview: `${'b'.repeat(32)}…` }),
      ev('close', 's3'),
      ev('close', 's7'),
    ]);
    const worlds = settle(loop('selectors-server', 'live', { schedule }));
    checkRun(worlds);
    const end = last(worlds);
    expect(findPeer(end.kernel, 's3')?.received).toBe('hello\n');
    expect(findPeer(end.kernel, 's7')?.received).toBe('b'.repeat(32) + '.'.repeat(8));
    expect(end.output).toContain("Closing connection to ('127.0.0.1', 50002)");
  });
});
