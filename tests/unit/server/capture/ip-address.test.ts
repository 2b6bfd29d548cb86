import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6 } from '../../../../server/capture/ip-address.ts';

function v6(text: string): DataView {
  const groups = text.split(':').map((group) => Number.parseInt(group, 16));
  const view = new DataView(new ArrayBuffer(18));
  groups.forEach((group, index) => view.setUint16(2 + index * 2, group, false));
  return view;
}

describe('formatIPv4', () => {
  it('writes the four bytes at the offset as a dotted quad', () => {
    expect(formatIPv4(new DataView(Uint8Array.from([9, 127, 0, 0, 1]).buffer), 1)).toBe('127.0.0.1');
  });
});

describe('formatIPv6', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:0DB8:00AA:0:0:0:0:00FF', '2001:db8:aa::ff'],
  ])('writes %s as %s (RFC 5952)', (groups, text) => {
    expect(formatIPv6(v6(groups), 2)).toBe(text);
  });
});
