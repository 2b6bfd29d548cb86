import { readFileSync } from 'node:fs';
import { parseTcpPacket, type ParsedTcp } from '../../../../server/capture/packet-parser.ts';
import { createPcapStream, type PcapRecord } from '../../../../server/capture/pcap-parser.ts';

/** The bytes of a pcap file recorded into tests/fixtures (see its README). */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url)));
}

export function fixtureRecords(name: string): PcapRecord[] {
  return createPcapStream().push(fixtureBytes(name));
}

/** Every record of a fixture parsed as TCP; a record that does not parse fails the test that asked. */
export function fixtureSegments(name: string): ParsedTcp[] {
  return fixtureRecords(name).map((record, index) => {
    const parsed = parseTcpPacket(record.linkType, record.data);
    if (parsed === undefined || 'error' in parsed) {
      throw new Error(`${name} record ${index}: ${parsed === undefined ? 'not TCP' : parsed.error}`);
    }
    return parsed;
  });
}
