/** The substance of what tcpdump printed: its own error lines, not the banner or the packet counts. */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('tcpdump: listening on'));
  const errors = lines.filter((line) => line.startsWith('tcpdump:'));
  return (errors.length > 0 ? errors : lines).slice(-2).join(' ');
}

/** One plain sentence for the page, from what a tcpdump that would not start printed. */
export function whyCaptureFailed(stderr: string): string {
  if (/permission|not permitted/i.test(stderr)) {
    return 'Packet capture is not permitted here: tcpdump needs root or the CAP_NET_RAW capability.';
  }
  if (/no such device/i.test(stderr)) {
    return 'Packet capture is not available here: this machine has no loopback interface named lo.';
  }
  const summary = summarizeStderr(stderr).replace(/[.\s]+$/, '');
  return summary === ''
    ? 'Packet capture is not available here: tcpdump stopped without saying why.'
    : `Packet capture is not available here: ${summary}.`;
}
