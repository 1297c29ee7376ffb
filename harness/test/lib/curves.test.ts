// lib/curves.ts, make bench-scale's math and chart: growth exponents, the points that bend a curve,
// the table and the SVG. No database.
import { describe, expect, it } from 'vitest';
import { curveSvg, curveTable, exponent, findBends, median, type Series } from '../../../lib/curves.ts';
import { BadInput, sizesSetting } from '../../../lib/settings.ts';

const SIZES = [100_000, 300_000, 1_000_000, 3_000_000];
const linear = (name: string, perMillion: number, bend?: { at: number; times: number }): Series => ({
  name,
  unit: 's',
  shape: 'linear',
  points: SIZES.map((rows) => ({ rows, value: (perMillion * rows) / 1e6 * (bend?.at === rows ? bend.times : 1) })),
});
const flat = (name: string, values: number[]): Series => ({ name, unit: 'ms', shape: 'flat', points: SIZES.map((rows, i) => ({ rows, value: values[i] })) });

describe('exponent: how a series grows from the smallest to the largest size', () => {
  it('is 1 for linear, 0 for flat, 2 for quadratic growth', () => {
    expect(exponent(linear('step', 20))).toBeCloseTo(1, 10);
    expect(exponent(flat('feed', [0.2, 0.2, 0.2, 0.2]))).toBeCloseTo(0, 10);
    const quadratic: Series = { name: 'q', unit: 's', shape: 'linear', points: SIZES.map((rows) => ({ rows, value: (rows / 1e5) ** 2 })) };
    expect(exponent(quadratic)).toBeCloseTo(2, 10);
  });

  it('is null with fewer than two positive points', () => {
    expect(exponent({ name: 'x', unit: 's', shape: 'linear', points: [{ rows: 1000, value: 1 }] })).toBeNull();
    expect(exponent({ name: 'x', unit: 's', shape: 'linear', points: [{ rows: 1000, value: 0 }, { rows: 2000, value: 0 }] })).toBeNull();
  });
});

describe('findBends: a point off the median of the other sizes by more than 1.5x', () => {
  it('median of an even and an odd count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('flags the size where a linear step costs more per million rows, and names it', () => {
    const bends = findBends([linear('pack 06_backfill', 30, { at: 3_000_000, times: 1.6 })]);
    expect(bends).toHaveLength(1);
    expect(bends[0]).toMatchObject({ series: 'pack 06_backfill', rows: 3_000_000 });
    expect(bends[0].factor).toBeCloseTo(1.6, 10);
    expect(bends[0].expected).toBeCloseTo(30, 10);
    expect(bends[0].line).toBe('finding: pack 06_backfill at 3M rows: 48.0 s per 1M rows, 1.60x the median of the other sizes (30.0 s per 1M); the curve bends up there');
  });

  it('leaves a straight line alone, and a bend of 1.4x too', () => {
    expect(findBends([linear('step', 30), linear('step b', 30, { at: 1_000_000, times: 1.4 })])).toEqual([]);
  });

  it('flags a point that is cheaper per million rows than the others (a bend down)', () => {
    const bends = findBends([linear('step', 30, { at: 300_000, times: 0.5 })]);
    expect(bends.map((b) => [b.rows, b.line.endsWith('bends down there')])).toEqual([[300_000, true]]);
  });

  it('judges only linear points of at least minSeconds: a catalog-only step is fixed cost, not a bend', () => {
    const instant: Series = { name: 'pack 01', unit: 's', shape: 'linear', points: SIZES.map((rows) => ({ rows, value: 0.05 })) };
    expect(findBends([instant])).toEqual([]);
    // 0.05 s per 1M at 100k is below the floor; the three judged points are straight
    const mixed: Series = { name: 'm', unit: 's', shape: 'linear', points: [{ rows: 100_000, value: 0.3 }, { rows: 300_000, value: 0.9 }, { rows: 1_000_000, value: 3 }, { rows: 3_000_000, value: 9 }] };
    expect(findBends([mixed])).toEqual([]);
  });

  it('one outlier among three sizes flags itself only, not the two whose median it pulls', () => {
    const three: Series = { name: 's', unit: 's', shape: 'linear', points: [{ rows: 50_000, value: 25 }, { rows: 100_000, value: 9.6 }, { rows: 200_000, value: 11.7 }] };
    expect(findBends([three]).map((b) => b.rows)).toEqual([50_000]);
  });

  it('after one bend, judges the rest again: two late sizes that both cost more are both found', () => {
    const late: Series = {
      name: 'late',
      unit: 's',
      shape: 'linear',
      points: [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000].map((rows) => ({ rows, value: (30 * rows) / 1e6 * (rows >= 3_000_000 ? (rows === 10_000_000 ? 4 : 2) : 1) })),
    };
    expect(findBends([late]).map((b) => b.rows)).toEqual([10_000_000, 3_000_000]);
  });

  it('needs three judged points', () => {
    const two: Series = { name: 't', unit: 's', shape: 'linear', points: [{ rows: 100_000, value: 1 }, { rows: 1_000_000, value: 50 }] };
    expect(findBends([two])).toEqual([]);
  });

  it('flat series: flags a latency that grows, ignores a difference under minMsDelta', () => {
    const bends = findBends([flat('feed p99 after', [0.5, 0.5, 0.6, 1.9]), flat('feed p50 after', [0.02, 0.02, 0.02, 0.06])]);
    expect(bends.map((b) => [b.series, b.rows])).toEqual([['feed p99 after', 3_000_000]]);
    expect(bends[0].line).toContain('1.90 ms, 3.80x the median of the other sizes (0.500 ms)');
  });
});

describe('curveTable', () => {
  it('a row per series, a column per size, per-million rates of linear series, the exponent, and ! on a bend', () => {
    const series = [linear('pack 06_backfill', 30, { at: 3_000_000, times: 2 }), flat('feed p50 after', [0.2, 0.2, 0.2, 0.2])];
    const text = curveTable(series, SIZES, findBends(series));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^metric\s+unit\s+100k\s+300k\s+1M\s+3M\s+per 1M @100k/);
    const backfill = lines.find((l) => l.startsWith('pack 06_backfill'))!;
    expect(backfill).toContain('180 !');
    expect(backfill).toMatch(/30\.0\s+30\.0\s+30\.0\s+60\.0/);
    expect(lines.find((l) => l.startsWith('feed p50 after'))).toMatch(/0\.00\s+0 \(flat\)$/);
  });
});

describe('curveSvg', () => {
  const series = [linear('pack 06_backfill', 30, { at: 3_000_000, times: 2 }), linear('seed <fast> & frozen', 20), flat('storage delete p99', [0.1, 0.1, 0.1, 0.1])];
  const bends = findBends(series);
  const svg = curveSvg('Cost curves', 'subtitle', series, SIZES, bends);

  it('draws a line per series in its panel, a red ring per bend, and the findings', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg.match(/stroke="#d62728" stroke-width="2"><title>finding/g)).toHaveLength(bends.length);
    expect(bends).toHaveLength(1);
    expect(svg).toContain(`>${bends[0].line.replace(/&/g, '&amp;')}</text>`);
    expect(svg).toContain('Time per step and per reference (s)');
    expect(svg).toContain('App latency (ms)');
  });

  it('escapes names and puts sizes on a log axis (equal spacing per factor)', () => {
    expect(svg).toContain('seed &lt;fast&gt; &amp; frozen');
    expect(svg).not.toContain('<fast>');
    // 100k -> 300k and 1M -> 3M are the same factor: the same distance on a log axis
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)" cy="[\d.]+" r="3"[^>]*><title>pack 06_backfill/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(4);
    const unit = (xs[2] - xs[0]) / Math.log10(10); // 100k -> 1M
    expect(xs[1] - xs[0]).toBeCloseTo(unit * Math.log10(3), 0);
    expect(xs[3] - xs[2]).toBeCloseTo(unit * Math.log10(3), 0);
  });

  it('says when there are too few sizes to judge', () => {
    const two = series.map((s) => ({ ...s, points: s.points.slice(0, 2) }));
    expect(curveSvg('t', 's', two, SIZES.slice(0, 2), [])).toContain('no bends judged: fewer than three sizes');
  });
});

describe('SCALES, the sizes of make bench-scale', () => {
  it('defaults to 100k,300k,1m and reads k and m suffixes; a bad size names the variable', () => {
    expect(sizesSetting('SCALES', {})).toEqual([100_000, 300_000, 1_000_000]);
    expect(sizesSetting('SCALES', { SCALES: '100k, 1m,10m' })).toEqual([100_000, 1_000_000, 10_000_000]);
    expect(() => sizesSetting('SCALES', { SCALES: '100k,lots' })).toThrow(BadInput);
    expect(() => sizesSetting('SCALES', { SCALES: '100k,lots' })).toThrow(/^SCALES must be a whole number/);
  });
});
