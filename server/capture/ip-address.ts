/** Dotted-quad text of the IPv4 address in the four bytes at `offset`. */
export function formatIPv4(view: DataView, offset: number): string {
  return [0, 1, 2, 3].map((at) => view.getUint8(offset + at)).join('.');
}

/**
 * RFC 5952 text of the IPv6 address in the sixteen bytes at `offset`: lowercase hex, no leading
 * zeros, the longest run of two or more zero groups (the first, on a tie) written as `::`.
 */
export function formatIPv6(view: DataView, offset: number): string {
  const groups = Array.from({ length: 8 }, (_, index) => view.getUint16(offset + index * 2, false));
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let index = 0; index <= groups.length; index++) {
    if (index < groups.length && groups[index] === 0) {
      if (runStart < 0) runStart = index;
      continue;
    }
    if (runStart >= 0 && index - runStart > bestLength) {
      bestStart = runStart;
      bestLength = index - runStart;
    }
    runStart = -1;
  }
  const text = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  if (bestStart < 0) return text(groups);
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`;
}
