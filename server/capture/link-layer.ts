/** Link-layer header types as pcap files number them (tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const AF_INET = 2;
/** AF_INET6 differs by system: Linux, NetBSD/OpenBSD, FreeBSD, macOS. */
const AF_INET6 = new Set([10, 24, 28, 30]);

/** Where the IP header starts in a captured frame, and which IP version it is. */
export type NetworkLayer = { offset: number; version: 4 | 6 };

function byEthertype(ethertype: number, offset: number): NetworkLayer | undefined {
  if (ethertype === ETHERTYPE_IPV4) return { offset, version: 4 };
  if (ethertype === ETHERTYPE_IPV6) return { offset, version: 6 };
  return undefined;
}

function byFamily(family: number, offset: number): NetworkLayer | undefined {
  if (family === AF_INET) return { offset, version: 4 };
  if (AF_INET6.has(family)) return { offset, version: 6 };
  return undefined;
}

function truncated(what: string, needed: number, captured: number): { error: string } {
  return { error: `${what} header cut short: ${captured} of ${needed} bytes captured` };
}

/**
 * Steps over the link-layer header of a captured frame. Returns undefined for a frame that does
 * not carry IP (ARP, say), and an error for a frame too short to read or a link type it does not know.
 */
export function networkLayer(linkType: number, data: Uint8Array): NetworkLayer | { error: string } | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      // Linux captures loopback as Ethernet with zeroed addresses, so this is the usual case for lo.
      if (data.length < 14) return truncated('Ethernet', 14, data.length);
      return byEthertype(view.getUint16(12, false), 14);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      // The family is in the capturing host's byte order for NULL and network order for LOOP,
      // and files are not always labelled right, so both readings are tried.
      if (data.length < 4) return truncated('Loopback', 4, data.length);
      return byFamily(view.getUint32(0, true), 4) ?? byFamily(view.getUint32(0, false), 4);
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_BSD:
    case LINKTYPE.RAW_OPENBSD: {
      if (data.length < 1) return truncated('IP', 1, 0);
      const version = view.getUint8(0) >> 4;
      return version === 4 || version === 6 ? { offset: 0, version } : undefined;
    }
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return truncated('Linux cooked', 16, data.length);
      return byEthertype(view.getUint16(14, false), 16);
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return truncated('Linux cooked v2', 20, data.length);
      return byEthertype(view.getUint16(0, false), 20);
    default:
      return { error: `link-layer type ${linkType} is not one this parser reads` };
  }
}
