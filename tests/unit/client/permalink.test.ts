import { describe, expect, it } from 'vitest';
import { stepperAnchor, stepperLink } from '../../../src/client/permalink.ts';

describe('stepperLink', () => {
  it("keeps only the stepper's own parameters and names it in the fragment", () => {
    const href =
      'http://127.0.0.1:4321/lessons/handshake-and-goodbye/?tcp-handshake.s=handshake&tcp-handshake.step=4&tcp-active-close.s=active-close&tcp-active-close.step=0#sequence-numbers';
    const link = new URL(stepperLink(href, 'tcp-handshake'));
    expect([...link.searchParams.keys()]).toEqual(['tcp-handshake.s', 'tcp-handshake.step']);
    expect(link.searchParams.get('tcp-handshake.step')).toBe('4');
    expect(link.hash).toBe(`#${stepperAnchor('tcp-handshake')}`);
    expect(link.pathname).toBe('/lessons/handshake-and-goodbye/');
  });

  it('does not take a stepper whose key merely starts with the same letters', () => {
    const href = 'http://x/p/?loop-selectors-server.step=3&loop-selectors-server-vs-x.step=9';
    expect(new URL(stepperLink(href, 'loop-selectors-server')).search).toBe('?loop-selectors-server.step=3');
  });
});
