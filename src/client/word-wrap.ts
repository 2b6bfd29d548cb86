/** A colour or cursor escape: it takes no column. */
const ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/y;

type Piece = { text: string; visible: boolean };

function pieces(line: string): Piece[] {
  const found: Piece[] = [];
  for (let i = 0; i < line.length;) {
    ESCAPE.lastIndex = i;
    const escape = ESCAPE.exec(line);
    if (escape !== null) {
      found.push({ text: escape[0], visible: false });
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i) ?? 0);
    found.push({ text: char, visible: true });
    i += char.length;
  }
  return found;
}

const render = (row: Piece[]): string => {
  let end = row.length;
  while (end > 0 && row[end - 1]?.visible === true && row[end - 1]?.text === ' ') end -= 1;
  return row
    .slice(0, end)
    .map((piece) => piece.text)
    .join('');
};

/**
 * Breaks one line (no newlines) into rows of at most `columns` characters, at a space where there
 * is one: the terminal itself would cut a word wherever the edge falls. A word longer than a row
 * is cut at the edge.
 */
export function wrapLine(line: string, columns: number): string[] {
  const width = Math.max(1, columns);
  const rows: string[] = [];
  let row: Piece[] = [];
  let used = 0;
  for (const piece of pieces(line)) {
    if (!piece.visible) {
      row.push(piece);
      continue;
    }
    if (used === width) {
      if (piece.text === ' ') {
        rows.push(render(row));
        row = [];
        used = 0;
        continue;
      }
      const space = row.findLastIndex((candidate) => candidate.visible && candidate.text === ' ');
      const carried = space < 0 ? [] : row.slice(space + 1);
      rows.push(render(space < 0 ? row : row.slice(0, space)));
      row = carried;
      used = carried.filter((candidate) => candidate.visible).length;
    }
    if (used === 0 && piece.text === ' ' && rows.length > 0) continue;
    row.push(piece);
    used += 1;
  }
  rows.push(render(row));
  return rows;
}

/** Word-wraps text of one or more lines for a terminal `columns` wide; lines end in "\r\n". */
export function wrapWords(text: string, columns: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => wrapLine(line, columns).join('\r\n'))
    .join('\r\n');
}
