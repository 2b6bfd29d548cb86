import { describe, expect, it } from 'vitest';
import { MAX_PCAP_RECORD_BYTES } from '../../../../server/limits.ts';
import { createPcapStream, type PcapRecord } from '../../../../server/capture/pcap-parser.ts';
import { fixtureBytes } from './fixture-pcaps.ts';

type HeaderFields = { littleEndian: boolean; nanoseconds: boolean; linkType?: number; snapLength?: number; major?: number };

function globalHeader(fields: HeaderFields): Uint8Array {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, fields.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, fields.littleEndian);
  view.setUint16(4, fields.major ?? 2, fields.littleEndian);
  view.setUint16(6, 4, fields.littleEndian);
  view.setUint32(16, fields.snapLength ?? 256, fields.littleEndian);
  view.setUint32(20, fields.linkType ?? 1, fields.littleEndian);
  return bytes;
}

function record(
  littleEndian: boolean,
  seconds: number,
  fraction: number,
  data: number[],
  originalLength = data.length,
): Uint8Array {
  const bytes = new Uint8Array(16 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, seconds, littleEndian);
  view.setUint32(4, fraction, littleEndian);
  view.setUint32(8, data.length, littleEndian);
  view.setUint32(12, originalLength, littleEndian);
  bytes.set(data, 16);
  return bytes;
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function feedInChunks(bytes: Uint8Array, sizes: number[]): PcapRecord[] {
  const stream = createPcapStream();
  const records: PcapRecord[] = [];
  let at = 0;
  for (let index = 0; at < bytes.length; index++) {
    const size = sizes[index % sizes.length] ?? 1;
    records.push(...stream.push(bytes.subarray(at, at + size)));
    at += size;
  }
  expect(stream.bufferedBytes).toBe(0);
  return records;
}

describe('createPcapStream on recorded files', () => {
  it('reads the global header tcpdump wrote on this little-endian machine', () => {
    const stream = createPcapStream();
    stream.push(fixtureBytes('ipv4-echo.pcap'));
    expect(stream.header).toEqual({
      littleEndian: true,
      nanoseconds: false,
      versionMajor: 2,
      versionMinor: 4,
      snapLength: 256,
      linkType: 1,
    });
  });

  it('reads every record with its microsecond time and lengths', () => {
    const records = createPcapStream().push(fixtureBytes('ipv4-echo.pcap'));
    expect(records).toHaveLength(10);
    expect(records[0]).toMatchObject({ timestampMicros: 1795347281727787, linkType: 1, originalLength: 74 });
    expect(records[0]?.data).toHaveLength(74);
    expect(records[3]).toMatchObject({ timestampMicros: 1795347281727856, originalLength: 72 });
    expect(records[9]).toMatchObject({ timestampMicros: 1795347281728041, originalLength: 66 });
    const times = records.map((entry) => entry.timestampMicros);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('reads a nanosecond file, rounding the time down to microseconds', () => {
    const stream = createPcapStream();
    const records = stream.push(fixtureBytes('ipv4-refused-nano.pcap'));
    expect(stream.header?.nanoseconds).toBe(true);
    expect(records.map((entry) => entry.timestampMicros)).toEqual([1795347284526193, 1795347284526207]);
  });

  it('reports the Linux cooked v2 link type of a capture on "any"', () => {
    const records = createPcapStream().push(fixtureBytes('ipv4-echo-sll2.pcap'));
    expect(records).toHaveLength(10);
    expect(records.every((entry) => entry.linkType === 276)).toBe(true);
  });

  it('gives the same records whether fed whole, a byte at a time, or in uneven chunks', () => {
    for (const name of ['ipv4-echo.pcap', 'ipv6-echo.pcap', 'ipv4-refused-nano.pcap', 'ipv4-echo-sll2.pcap']) {
      const bytes = fixtureBytes(name);
      const whole = createPcapStream().push(bytes);
      expect(feedInChunks(bytes, [1])).toEqual(whole);
      expect(feedInChunks(bytes, [3, 17, 1, 40, 7, 100])).toEqual(whole);
      expect(feedInChunks(bytes, [24, 16])).toEqual(whole);
    }
  });

  it('holds only the incomplete tail between pushes', () => {
    const bytes = fixtureBytes('ipv4-refused.pcap');
    const stream = createPcapStream();
    expect(stream.push(bytes.subarray(0, 10))).toEqual([]);
    expect(stream.header).toBeUndefined();
    expect(stream.bufferedBytes).toBe(10);
    expect(stream.push(bytes.subarray(10, 24 + 16 + 5))).toEqual([]);
    expect(stream.bufferedBytes).toBe(21);
    expect(stream.push(bytes.subarray(24 + 16 + 5))).toHaveLength(2);
    expect(stream.bufferedBytes).toBe(0);
    expect(stream.push(new Uint8Array(0))).toEqual([]);
  });
});

describe('createPcapStream on built streams', () => {
  const payload = [0x45, 0x00, 0x00, 0x14];

  it.each([
    { littleEndian: false, nanoseconds: false, fraction: 250_000, micros: 1_700_000_000_250_000 },
    { littleEndian: true, nanoseconds: false, fraction: 999_999, micros: 1_700_000_000_999_999 },
    { littleEndian: false, nanoseconds: true, fraction: 250_000_999, micros: 1_700_000_000_250_000 },
    { littleEndian: true, nanoseconds: true, fraction: 1_999, micros: 1_700_000_000_000_001 },
  ])('reads byte order little-endian=$littleEndian, nanoseconds=$nanoseconds', (format) => {
    const stream = createPcapStream();
    const records = stream.push(
      join(
        globalHeader({ ...format, linkType: 101, snapLength: 4 }),
        record(format.littleEndian, 1_700_000_000, format.fraction, payload, 1500),
      ),
    );
    expect(stream.header).toMatchObject({ littleEndian: format.littleEndian, nanoseconds: format.nanoseconds, snapLength: 4 });
    expect(records).toEqual([
      { timestampMicros: format.micros, linkType: 101, data: new Uint8Array(payload), originalLength: 1500 },
    ]);
  });

  it('ignores the FCS bits in the top of the link-type field', () => {
    const stream = createPcapStream();
    stream.push(globalHeader({ littleEndian: true, nanoseconds: false, linkType: 0x10000001 }));
    expect(stream.header?.linkType).toBe(1);
  });

  it('reads an empty record', () => {
    const records = createPcapStream().push(
      join(globalHeader({ littleEndian: true, nanoseconds: false }), record(true, 1, 2, [])),
    );
    expect(records).toEqual([{ timestampMicros: 1_000_002, linkType: 1, data: new Uint8Array(0), originalLength: 0 }]);
  });
});

describe('createPcapStream on streams it must refuse', () => {
  it('rejects a bad magic with the bytes it found, and keeps refusing', () => {
    const stream = createPcapStream();
    const text = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    expect(() => stream.push(text)).toThrow(
      'not a pcap stream: it starts with 0x47455420, not the pcap magic a1b2c3d4 or a1b23c4d',
    );
    expect(() => stream.push(fixtureBytes('ipv4-echo.pcap'))).toThrow('not a pcap stream');
    expect(stream.bufferedBytes).toBe(0);
  });

  it('says so when it is given pcapng', () => {
    const block = new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(24).fill(0)]);
    expect(() => createPcapStream().push(block)).toThrow('pcapng');
  });

  it('refuses a pcap version other than 2', () => {
    expect(() => createPcapStream().push(globalHeader({ littleEndian: true, nanoseconds: false, major: 1 }))).toThrow(
      'pcap version 1.4 is not supported',
    );
  });

  it('fails as soon as a record header claims more than the cap, without waiting for its bytes', () => {
    const stream = createPcapStream();
    const header = new Uint8Array(16);
    new DataView(header.buffer).setUint32(8, MAX_PCAP_RECORD_BYTES + 1, true);
    stream.push(globalHeader({ littleEndian: true, nanoseconds: false }));
    expect(() => stream.push(header)).toThrow(`a pcap record claims ${MAX_PCAP_RECORD_BYTES + 1} bytes`);
    expect(stream.bufferedBytes).toBe(0);
    expect(() => stream.push(new Uint8Array(1))).toThrow('a pcap record claims');
  });

  it('takes a smaller cap when asked', () => {
    const stream = createPcapStream({ maxRecordBytes: 3 });
    const bytes = join(globalHeader({ littleEndian: true, nanoseconds: false }), record(true, 0, 0, [1, 2, 3, 4]));
    expect(() => stream.push(bytes)).toThrow('more than the 3 allowed');
  });

  it('never throws anything but its own errors on garbage after a valid header', () => {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % 256;
    };
    for (let round = 0; round < 200; round++) {
      const stream = createPcapStream({ maxRecordBytes: 4096 });
      const garbage = Uint8Array.from({ length: 64 + (round % 50) }, random);
      const bytes = join(globalHeader({ littleEndian: round % 2 === 0, nanoseconds: false }), garbage);
      try {
        for (let at = 0; at < bytes.length; at += 7) {
          for (const entry of stream.push(bytes.subarray(at, at + 7))) expect(entry.data.length).toBeLessThanOrEqual(4096);
        }
      } catch (error) {
        expect(String(error)).toContain('a pcap record claims');
      }
    }
  });
});
