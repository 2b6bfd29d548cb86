/** Rows of cells as aligned text columns, `gap` spaces apart, without trailing spaces. */
export function table(rows: readonly (readonly string[])[], gap = 2): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}
