import { padVisible, visibleLength, type Style } from './style.js';

/**
 * The one table helper (restic's ui/table, in spirit): the run summary, `status` and the live
 * frame's type rows all size their columns and align their cells here. Widths are measured on
 * screen, so colour codes never shift a column.
 */

export type Align = 'left' | 'right';

export interface TableSpec {
  header: readonly string[];
  rows: readonly (readonly string[])[];
  /** A last row in bold (totals). */
  footer?: readonly string[];
  /** Per column; a column not listed is left-aligned. Names on the left, numbers on the right. */
  align: readonly Align[];
  style: Style;
  /** Colours one body cell (given unpadded); the header is dim and the footer bold. */
  paint?: (cell: string, column: number, row: readonly string[]) => string;
}

/** The widest visible cell of each column. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, visibleLength(cell));
    });
  }
  return widths;
}

/** One row: each cell padded to its column's width, two spaces between, no trailing blanks. */
export function tableRow(
  cells: readonly string[],
  widths: readonly number[],
  align: readonly Align[],
  separator = '  ',
): string {
  return cells
    .map((cell, column) => padVisible(cell, widths[column] ?? 0, align[column] === 'right'))
    .join(separator)
    .trimEnd();
}

/** The whole table as lines: header, body, then the footer when there is one. */
export function renderTable(spec: TableSpec): string[] {
  const { header, rows, footer, align, style } = spec;
  const widths = columnWidths([header, ...rows, ...(footer ? [footer] : [])]);
  const paint = spec.paint ?? ((cell: string) => cell);
  return [
    tableRow(
      header.map((cell) => style.dim(cell)),
      widths,
      align,
    ),
    ...rows.map((row) =>
      tableRow(
        row.map((cell, column) => paint(cell, column, row)),
        widths,
        align,
      ),
    ),
    ...(footer
      ? [
          tableRow(
            footer.map((cell) => (cell === '' ? cell : style.bold(cell))),
            widths,
            align,
          ),
        ]
      : []),
  ];
}
