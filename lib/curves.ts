// Cost curves (make bench-scale): one series per metric against the number of posts, the growth
// each series shows, the points that bend it, a printable table and an SVG chart. Pure functions,
// no database: bench/scale.ts feeds them the runs' results.
import { formatTable } from './table.ts';

/** What a metric should do as rows grow: a step's time grows with the rows, a query's latency stays. */
export type Shape = 'linear' | 'flat';

export interface Series {
  name: string;
  unit: 's' | 'ms';
  shape: Shape;
  /** one point per size that measured it, in rows order */
  points: { rows: number; value: number }[];
}

export interface Bend {
  series: string;
  rows: number;
  value: number;
  /** the point's value per million rows (linear) or its value (flat) */
  normalized: number;
  /** the median of the other points' normalized values */
  expected: number;
  /** normalized / expected */
  factor: number;
  /** the finding, one line */
  line: string;
}

export interface BendRules {
  /** a point off the median of the others by more than this factor, either way, bends the curve */
  factor: number;
  /** linear series: points under this many seconds are not judged (fixed costs dominate them) */
  minSeconds: number;
  /** flat series: a difference under this many ms is noise, whatever the factor */
  minMsDelta: number;
}

export const DEFAULT_BEND_RULES: Readonly<BendRules> = Object.freeze({ factor: 1.5, minSeconds: 0.5, minMsDelta: 0.05 });

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A point as the chart compares it: seconds per million rows for a linear series, the value for a flat one. */
export const normalized = (s: Series, p: { rows: number; value: number }): number => (s.shape === 'linear' ? p.value / (p.rows / 1e6) : p.value);

/**
 * The growth exponent between the smallest and the largest size: log(v2/v1) / log(n2/n1).
 * 1 is linear, 0 flat, 2 quadratic. null with fewer than two positive points.
 */
export function exponent(s: Series): number | null {
  const pts = s.points.filter((p) => p.value > 0);
  if (pts.length < 2) return null;
  const a = pts[0];
  const b = pts[pts.length - 1];
  if (a.rows === b.rows) return null;
  return Math.log(b.value / a.value) / Math.log(b.rows / a.rows);
}

const fmtRows = (n: number) => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n));
const fmtValue = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

/** A point against the median of the others of its series: its factor, or null when the difference is noise. */
function judge(s: Series, p: { rows: number; value: number }, others: { rows: number; value: number }[], rules: BendRules) {
  const expected = median(others.map((q) => normalized(s, q)));
  const norm = normalized(s, p);
  const factor = norm / expected;
  if (s.shape === 'flat' && Math.abs(p.value - expected) < rules.minMsDelta) return null;
  return { expected, norm, factor };
}

/**
 * The points that bend their curve. Each judged point is compared with the median of the other
 * judged points of its series (at least two others); the most deviant one, if off by more than
 * rules.factor either way, is a bend and leaves the set, and the rest are judged again while three
 * remain. So one outlier among three sizes flags itself only, not the two sizes it pulls the
 * median of. Linear series compare seconds per million rows and judge only points of at least
 * minSeconds; flat series compare values, and ignore differences under minMsDelta.
 */
export function findBends(series: readonly Series[], rules: BendRules = DEFAULT_BEND_RULES): Bend[] {
  const out: Bend[] = [];
  for (const s of series) {
    const judged = s.points.filter((p) => (s.shape === 'linear' ? p.value >= rules.minSeconds : p.value > 0));
    while (judged.length >= 3) {
      let worst: { p: (typeof judged)[number]; expected: number; norm: number; factor: number } | null = null;
      for (const p of judged) {
        const j = judge(s, p, judged.filter((q) => q !== p), rules);
        if (j && (!worst || Math.abs(Math.log(j.factor)) > Math.abs(Math.log(worst.factor)))) worst = { p, ...j };
      }
      if (!worst || (worst.factor <= rules.factor && worst.factor >= 1 / rules.factor)) break;
      const { p, expected, norm, factor } = worst;
      const what = s.shape === 'linear' ? `${fmtValue(norm)} s per 1M rows` : `${fmtValue(norm)} ${s.unit}`;
      const against = s.shape === 'linear' ? `${fmtValue(expected)} s per 1M` : `${fmtValue(expected)} ${s.unit}`;
      out.push({
        series: s.name,
        rows: p.rows,
        value: p.value,
        normalized: norm,
        expected,
        factor,
        line: `finding: ${s.name} at ${fmtRows(p.rows)} rows: ${what}, ${factor.toFixed(2)}x the median of the other sizes (${against}); the curve ${factor > 1 ? 'bends up' : 'bends down'} there`,
      });
      judged.splice(judged.indexOf(p), 1);
    }
  }
  return out;
}

/** The table the scale runner prints: one row per series, one column per size, the growth exponent and the bends. */
export function curveTable(series: readonly Series[], sizes: readonly number[], bends: readonly Bend[]): string {
  const head = ['metric', 'unit', ...sizes.map(fmtRows), ...sizes.map((n) => `per 1M @${fmtRows(n)}`), 'exponent', 'expected'];
  const rows = series.map((s) => {
    const at = (n: number) => s.points.find((p) => p.rows === n);
    const bent = (n: number) => (bends.some((b) => b.series === s.name && b.rows === n) ? ' !' : '');
    const e = exponent(s);
    return [
      s.name,
      s.unit,
      ...sizes.map((n) => (at(n) ? fmtValue(at(n)!.value) + bent(n) : '-')),
      ...sizes.map((n) => (s.shape === 'linear' && at(n) ? fmtValue(normalized(s, at(n)!)) : '')),
      e === null ? '-' : e.toFixed(2),
      s.shape === 'linear' ? '1 (linear)' : '0 (flat)',
    ];
  });
  return formatTable(rows, { head, align: ['l', 'l', ...sizes.map(() => 'r' as const), ...sizes.map(() => 'r' as const), 'r', 'l'] });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

interface Panel {
  title: string;
  unit: 's' | 'ms';
  series: Series[];
}

/** Decades covering the values (log axis), at least one. */
function decades(values: number[]): [number, number] {
  const pos = values.filter((v) => v > 0);
  if (pos.length === 0) return [0.1, 1];
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...pos))));
  let hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...pos))));
  if (hi <= lo) hi = lo * 10;
  return [lo, hi];
}

/** One log-log panel: a line per series, the bends circled, a legend with each series' exponent. */
function panelSvg(p: Panel, sizes: readonly number[], bends: readonly Bend[], top: number): { svg: string[]; height: number } {
  const left = 80;
  const plotW = 520;
  const plotH = 300;
  const legendX = left + plotW + 30;
  const [xlo, xhi] = [Math.min(...sizes) / 1.3, Math.max(...sizes) * 1.3];
  const [ylo, yhi] = decades(p.series.flatMap((s) => s.points.map((q) => q.value)));
  const x = (n: number) => left + ((Math.log10(n) - Math.log10(xlo)) / (Math.log10(xhi) - Math.log10(xlo))) * plotW;
  const y = (v: number) => top + plotH - ((Math.log10(Math.max(v, ylo)) - Math.log10(ylo)) / (Math.log10(yhi) - Math.log10(ylo))) * plotH;
  const out: string[] = [];
  out.push(`<text x="${left}" y="${top - 12}" font-size="14" font-weight="600">${esc(p.title)}</text>`);
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccd1d6"/>`);
  for (let d = ylo; d <= yhi * 1.0001; d *= 10) {
    const gy = y(d).toFixed(1);
    out.push(`<line x1="${left}" y1="${gy}" x2="${left + plotW}" y2="${gy}" stroke="#e3e6ea"/>`);
    out.push(`<text x="${left - 6}" y="${Number(gy) + 4}" text-anchor="end" fill="#555">${fmtValue(d)} ${p.unit}</text>`);
  }
  for (const n of sizes) {
    const gx = x(n).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top}" x2="${gx}" y2="${top + plotH}" stroke="#e3e6ea"/>`);
    out.push(`<text x="${gx}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${fmtRows(n)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" fill="#333">posts (log scale)</text>`);
  p.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
    const pts = s.points.filter((q) => q.value > 0);
    const path = pts.map((q, j) => `${j ? 'L' : 'M'}${x(q.rows).toFixed(1)},${y(q.value).toFixed(1)}`).join(' ');
    if (pts.length > 1) out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const q of pts) {
      const bent = bends.find((b) => b.series === s.name && b.rows === q.rows);
      out.push(`<circle cx="${x(q.rows).toFixed(1)}" cy="${y(q.value).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name} at ${fmtRows(q.rows)}: ${fmtValue(q.value)} ${s.unit}`)}</title></circle>`);
      if (bent) out.push(`<circle cx="${x(q.rows).toFixed(1)}" cy="${y(q.value).toFixed(1)}" r="8" fill="none" stroke="#d62728" stroke-width="2"><title>${esc(bent.line)}</title></circle>`);
    }
    const e = exponent(s);
    const ly = top + 6 + i * 16;
    out.push(`<line x1="${legendX}" y1="${ly}" x2="${legendX + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<text x="${legendX + 28}" y="${ly + 4}">${esc(s.name)}${e === null ? '' : ` (exponent ${e.toFixed(2)})`}</text>`);
  });
  const height = Math.max(plotH + 50, p.series.length * 16 + 20);
  return { svg: out, height };
}

/**
 * The chart of a scale run: the steps' times (seconds, log-log: linear growth is a line of slope 1)
 * and the app's latencies (ms: flat is the expected shape), a red circle on each point that bends
 * its curve, and the findings underneath.
 */
export function curveSvg(title: string, subtitle: string, series: readonly Series[], sizes: readonly number[], bends: readonly Bend[]): string {
  const W = 1200;
  const all: Panel[] = [
    { title: 'Time per step and per reference (s)', unit: 's', series: series.filter((s) => s.unit === 's') },
    { title: 'App latency (ms)', unit: 'ms', series: series.filter((s) => s.unit === 'ms') },
  ];
  const panels = all.filter((p) => p.series.length > 0);
  const body: string[] = [];
  let top = 90;
  for (const p of panels) {
    const { svg, height } = panelSvg(p, sizes, bends, top);
    body.push(...svg);
    top += height + 50;
  }
  const findings = bends.length ? bends.map((b) => b.line) : [sizes.length < 3 ? 'no bends judged: fewer than three sizes' : 'no point bends its curve (factor 1.5 against the median of the other sizes)'];
  findings.forEach((line, i) => body.push(`<text x="20" y="${top + i * 16}" fill="${bends.length ? '#d62728' : '#333'}">${esc(line)}</text>`));
  const H = top + findings.length * 16 + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="17" font-weight="600">${esc(title)}</text>`,
    `<text x="20" y="48" fill="#555">${esc(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
