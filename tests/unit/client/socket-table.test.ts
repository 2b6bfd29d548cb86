import { describe, expect, it } from 'vitest';
import { socketTable } from '../../../src/client/socket-table.ts';
import type { SocketInfo } from '../../../src/protocol/messages.ts';

const ECHO = '127.0.0.1:40000';
const SOCKETS: SocketInfo[] = [
  { socket: 's1', role: 'listener', origin: 'sandbox', server: 'echo', local: ECHO, state: 'LISTEN', bytesIn: 0, bytesOut: 0 },
  { socket: 's2', role: 'client', origin: 'terminal', local: '127.0.0.1:50002', remote: ECHO, state: 'FIN-WAIT-2', bytesIn: 15, bytesOut: 15 },
  { socket: 's13', role: 'server', origin: 'sandbox', server: 'echo', peer: 'outside', local: ECHO, remote: '127.0.0.1:50123', state: 'ESTAB', bytesIn: 123456, bytesOut: 123456 },
];

describe('socketTable', () => {
  it('shows every column with full addresses when it fits', () => {
    const shown = socketTable(SOCKETS, 100);
    expect(shown.header).toMatch(/^ID\s+ROLE\s+STATE\s+LOCAL\s+PEER\s+IN\/OUT$/);
    expect(shown.rows[1]).toMatch(/^s2\s+client\s+FIN-WAIT-2\s+127\.0\.0\.1:50002\s+127\.0\.0\.1:40000\s+15\/15$/);
    expect(shown.note).toBeUndefined();
  });

  it('shortens addresses to ports, then drops the peer, then the byte counts, as the terminal narrows', () => {
    const ports = socketTable(SOCKETS, 60);
    expect(ports.rows[1]).toMatch(/^s2\s+client\s+FIN-WAIT-2\s+:50002\s+:40000\s+15\/15$/);
    expect(ports.note).toBe('LOCAL and PEER are ports on 127.0.0.1');
    const lean = socketTable(SOCKETS, 48);
    expect(lean.header).toMatch(/^ID\s+ROLE\s+STATE\s+LOCAL\s+IN\/OUT$/);
    expect(lean.rows[2]).toMatch(/^s13 echo←outside ESTAB\s+:40000 123456\/123456$/);
    const least = socketTable(SOCKETS, 30);
    expect(least.header).toMatch(/^ID\s+ROLE\s+STATE$/);
    for (const [cols, shown] of [[60, ports], [48, lean], [30, least]] as const) {
      expect(shown.rows).toHaveLength(SOCKETS.length);
      for (const line of [shown.header, ...shown.rows]) expect(line.length).toBeLessThanOrEqual(cols);
    }
  });
});
