/** A printable table: a title and rows of plain values. */
export interface Table {
  readonly title: string;
  readonly rows: readonly object[];
}

/** Formats rows as an aligned text table; arrays (raw samples) are left out, numbers get thousands separators. */
export function formatTable(table: Table): string {
  const rows = table.rows as readonly Readonly<Record<string, unknown>>[];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => !Array.isArray(row[key]))))];
  const cells = rows.map((row) => columns.map((column) => formatValue(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]!.length)));
  const line = (values: readonly string[]) =>
    values.map((value, index) => (/^[\d,.\-−]+$/.test(value) ? value.padStart(widths[index]!) : value.padEnd(widths[index]!))).join('  ');
  return [`## ${table.title}`, line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 });
  }
  return String(value);
}
