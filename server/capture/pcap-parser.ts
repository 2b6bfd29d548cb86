import { MAX_PCAP_RECORD_BYTES } from '../limits.ts';

/** One packet as the pcap stream holds it. */
export type PcapRecord = {
  /** Capture time in microseconds since the Unix epoch. */
  timestampMicros: number;
  /** The stream's link-layer type (LINKTYPE_*), which says how `data` begins. */
  linkType: number;
  /** The bytes captured: at most the snapshot length, so possibly fewer than the packet had. */
  data: Uint8Array;
  /** The packet's length on the wire. */
  originalLength: number;
};

/** What the 24-byte global header at the start of a classic pcap stream says. */
export type PcapHeader = {
  littleEndian: boolean;
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
};

/** An incremental reader of the classic pcap format, fed the stream in chunks of any size. */
export type PcapStream = {
  /** Takes the next bytes of the stream and returns every record they complete. Throws on a stream it cannot read. */
  push(chunk: Uint8Array): PcapRecord[];
  /** The global header, once its 24 bytes have arrived. */
  readonly header: PcapHeader | undefined;
  /** Bytes held back because they do not yet make a whole record. */
  readonly bufferedBytes: number;
};

export type PcapStreamOptions = {
  /** A record claiming more captured bytes than this fails the stream instead of being buffered. */
  maxRecordBytes?: number;
};

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** The magic numbers as read big-endian from the first four bytes. */
const MAGICS: Record<number, { littleEndian: boolean; nanoseconds: boolean }> = {
  0xa1b2c3d4: { littleEndian: false, nanoseconds: false },
  0xd4c3b2a1: { littleEndian: true, nanoseconds: false },
  0xa1b23c4d: { littleEndian: false, nanoseconds: true },
  0x4d3cb2a1: { littleEndian: true, nanoseconds: true },
};

/** The top four bits of the link-type field may carry FCS information rather than the type. */
const LINK_TYPE_MASK = 0x0fffffff;

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function readGlobalHeader(view: DataView): PcapHeader {
  const magic = view.getUint32(0, false);
  if (magic === PCAPNG_MAGIC) {
    throw new Error('this is a pcapng stream; only classic pcap (what tcpdump -w writes) can be read');
  }
  const format = MAGICS[magic];
  if (format === undefined) {
    throw new Error(`not a pcap stream: it starts with ${hex32(magic)}, not the pcap magic a1b2c3d4 or a1b23c4d`);
  }
  const { littleEndian } = format;
  const versionMajor = view.getUint16(4, littleEndian);
  const versionMinor = view.getUint16(6, littleEndian);
  if (versionMajor !== 2) {
    throw new Error(`pcap version ${versionMajor}.${versionMinor} is not supported; only 2.x is`);
  }
  return {
    ...format,
    versionMajor,
    versionMinor,
    snapLength: view.getUint32(16, littleEndian),
    linkType: view.getUint32(20, littleEndian) & LINK_TYPE_MASK,
  };
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.length === 0) return tail;
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head, 0);
  joined.set(tail, head.length);
  return joined;
}

/**
 * Reads a classic pcap stream (tcpdump -w -) as it arrives. Memory stays bounded: at most one
 * incomplete record is held, and a record longer than `maxRecordBytes` fails the stream. Once
 * it has failed, every further push throws the same error.
 */
export function createPcapStream(options: PcapStreamOptions = {}): PcapStream {
  const maxRecordBytes = options.maxRecordBytes ?? MAX_PCAP_RECORD_BYTES;
  let pending: Uint8Array = new Uint8Array(0);
  let header: PcapHeader | undefined;
  let failure: Error | undefined;

  const fail = (error: unknown): never => {
    failure = error instanceof Error ? error : new Error(String(error));
    pending = new Uint8Array(0);
    throw failure;
  };

  const push = (chunk: Uint8Array): PcapRecord[] => {
    if (failure !== undefined) throw failure;
    const bytes = concat(pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    if (header === undefined) {
      if (bytes.length < GLOBAL_HEADER_BYTES) {
        pending = bytes.slice();
        return [];
      }
      try {
        header = readGlobalHeader(view);
      } catch (error) {
        return fail(error);
      }
      offset = GLOBAL_HEADER_BYTES;
    }
    const { littleEndian, nanoseconds, linkType } = header;
    const records: PcapRecord[] = [];
    while (bytes.length - offset >= RECORD_HEADER_BYTES) {
      const capturedLength = view.getUint32(offset + 8, littleEndian);
      if (capturedLength > maxRecordBytes) {
        return fail(new Error(`a pcap record claims ${capturedLength} bytes, more than the ${maxRecordBytes} allowed`));
      }
      const start = offset + RECORD_HEADER_BYTES;
      if (bytes.length - start < capturedLength) break;
      const seconds = view.getUint32(offset, littleEndian);
      const fraction = view.getUint32(offset + 4, littleEndian);
      records.push({
        timestampMicros: seconds * 1_000_000 + (nanoseconds ? Math.floor(fraction / 1000) : fraction),
        linkType,
        data: bytes.slice(start, start + capturedLength),
        originalLength: view.getUint32(offset + 12, littleEndian),
      });
      offset = start + capturedLength;
    }
    // A copy, so the remainder does not keep the whole chunk it came in alive.
    pending = bytes.slice(offset);
    return records;
  };

  return {
    push,
    get header() {
      return header;
    },
    get bufferedBytes() {
      return pending.length;
    },
  };
}
