import { describe, expect, it } from 'vitest';
import { summarizeStderr, whyCaptureFailed } from '../../../../server/capture/tcpdump-stderr.ts';

const PERMISSION = `tcpdump: lo: You don't have permission to perform this capture on that device
(socket: Operation not permitted)
`;

describe('whyCaptureFailed', () => {
  it('explains a permission failure in one plain sentence', () => {
    expect(whyCaptureFailed(PERMISSION)).toBe(
      'Packet capture is not permitted here: tcpdump needs root or the CAP_NET_RAW capability.',
    );
  });

  it('explains a missing loopback interface', () => {
    expect(whyCaptureFailed('tcpdump: lo: No such device exists\n(No such device exists)\n')).toBe(
      'Packet capture is not available here: this machine has no loopback interface named lo.',
    );
  });

  it("passes on tcpdump's own words for anything else, as one sentence", () => {
    expect(whyCaptureFailed('tcpdump: pcap_loop: The interface disappeared.\n')).toBe(
      'Packet capture is not available here: tcpdump: pcap_loop: The interface disappeared.',
    );
    expect(whyCaptureFailed('')).toBe('Packet capture is not available here: tcpdump stopped without saying why.');
  });
});

describe('summarizeStderr', () => {
  it("keeps tcpdump's error lines over the banner and the packet counts", () => {
    const stderr = [
      'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 256 bytes',
      'tcpdump: pcap_loop: The interface disappeared',
      '12 packets captured',
      '24 packets received by filter',
      '0 packets dropped by kernel',
      '',
    ].join('\n');
    expect(summarizeStderr(stderr)).toBe('tcpdump: pcap_loop: The interface disappeared');
  });

  it('falls back to the last lines when none is an error line', () => {
    expect(summarizeStderr('a\nb\nc\n')).toBe('b c');
    expect(summarizeStderr('')).toBe('');
  });
});
