// The one table formatter of every CLI report: columns two spaces apart, numbers right-aligned
// unless told otherwise, an optional dashed rule under the header, no trailing blanks.

export type Align = 'l' | 'r';
export type Cell = string | number;

export interface TableOptions {
  /** the header row; a dashed rule goes under it unless rule is false */
  head?: readonly Cell[];
  rule?: boolean;
  /** per column; a column without one aligns numbers right and text left */
  align?: readonly Align[];
  /** put before every line */
  indent?: string;
}

export function formatTable(rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const all = opts.head ? [opts.head, ...rows] : rows;
  const columns = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...all.map((r) => String(r[i] ?? '').length)));
  const indent = opts.indent ?? '';
  const cell = (c: Cell | undefined, i: number) => {
    const s = String(c ?? '');
    return (opts.align?.[i] ?? (typeof c === 'number' ? 'r' : 'l')) === 'r' ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  };
  const lines = all.map((r) => (indent + r.map(cell).join('  ')).trimEnd());
  if (opts.head && opts.rule !== false) lines.splice(1, 0, indent + widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}
