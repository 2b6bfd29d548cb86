/**
 * Reads the kernel's own view of TCP sockets from /proc/net/tcp and /proc/net/tcp6, so that `ss`
 * in the terminal shows the state Linux holds (FIN-WAIT-2, TIME-WAIT, …), not a guess from Node's
 * events. Elsewhere it returns nothing and callers fall back to what Node knows.
 */

/** The `st` column of /proc/net/tcp, named as `ss` names them. */
const STATE_NAMES: Record<number, string> = {
  0x01: 'ESTAB',
  0x02: 'SYN-SENT',
  0x03: 'SYN-RECV',
  0x04: 'FIN-WAIT-1',
  0x05: 'FIN-WAIT-2',
  0x06: 'TIME-WAIT',
  0x07: 'UNCONN',
  0x08: 'CLOSE-WAIT',
  0x09: 'LAST-ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW-SYN-RECV',
};

export type KernelSocket = { local: string; remote: string; state: string };

function hexToIPv4(hex: string): string {
  // /proc prints the address as the 32-bit word in host byte order: little-endian on x86 and arm.
  const bytes = [6, 4, 2, 0].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return bytes.join('.');
}

function hexToIPv6(hex: string): string {
  const groups: string[] = [];
  for (let word = 0; word < 4; word++) {
    const chunk = hex.slice(word * 8, word * 8 + 8);
    const le = [6, 4, 2, 0]
      .map((at) => chunk.slice(at, at + 2))
      .join('')
      .toLowerCase();
    groups.push(le.slice(0, 4), le.slice(4, 8));
  }
  const mapped = groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff';
  if (mapped) return hexToIPv4(hex.slice(24, 32));
  const compact = groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
  return `[${compact.replace(/(^|:)0(:0)+(:|$)/, '::')}]`;
}

function parseEndpoint(text: string, v6: boolean): string | undefined {
  const [hexAddress, hexPort] = text.split(':');
  if (hexAddress === undefined || hexPort === undefined) return undefined;
  const port = Number.parseInt(hexPort, 16);
  const address = v6 ? hexToIPv6(hexAddress) : hexToIPv4(hexAddress);
  return `${address}:${port}`;
}

/** Parses the text of /proc/net/tcp (or tcp6); lines it cannot read are skipped. */
export function parseProcNetTcp(text: string, v6 = false): KernelSocket[] {
  const sockets: KernelSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const local = parseEndpoint(fields[1] ?? '', v6);
    const remote = parseEndpoint(fields[2] ?? '', v6);
    const state = STATE_NAMES[Number.parseInt(fields[3] ?? '', 16)];
    if (local === undefined || remote === undefined || state === undefined) continue;
    sockets.push({ local, remote, state });
  }
  return sockets;
}
