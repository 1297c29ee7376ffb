// Latency of one task with tinybench: its own statistics (ms), plus p95, which tinybench does not
// compute, from the retained samples.
import { Bench } from 'tinybench';

export interface Latency {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  samples: number;
  /** relative margin of error of the mean, % */
  rme: number;
}

export interface MeasureOptions {
  /** time budget of the measured run, ms */
  timeMs: number;
  /** time budget of the warmup (the prepared statement's first runs, the caches), ms */
  warmupMs: number;
  /** runs at least this many iterations, whatever the time */
  minIterations?: number;
}

/** Quantile of sorted samples, interpolated linearly between order statistics (as tinybench does). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Statistics of raw samples (ms), e.g. several runs' samples pooled. */
export function summarize(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  return {
    mean,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    min: sorted[0],
    max: sorted[n - 1],
    samples: n,
    rme: n > 1 ? (100 * 1.96 * sd) / Math.sqrt(n) / mean : 0, // normal approximation, n is large
  };
}

/**
 * Runs fn repeatedly and returns its latency. beforeEach/afterEach run around every iteration
 * outside the timed window (e.g. BEGIN and ROLLBACK around a DELETE).
 */
export async function measure(
  name: string,
  fn: () => Promise<unknown>,
  opts: MeasureOptions,
  hooks: { beforeEach?: () => Promise<void>; afterEach?: () => Promise<void> } = {},
): Promise<Latency & { raw: readonly number[] }> {
  const bench = new Bench({
    name,
    time: opts.timeMs,
    warmupTime: opts.warmupMs,
    iterations: opts.minIterations ?? 10,
    retainSamples: true,
    throws: true,
  });
  bench.add(name, fn, { async: true, beforeEach: hooks.beforeEach, afterEach: hooks.afterEach });
  await bench.run();
  const task = bench.getTask(name);
  const r = task?.result;
  if (!r || r.state !== 'completed') {
    const why = r && 'error' in r ? `: ${r.error.message}` : r ? ` (${r.state})` : '';
    throw new Error(`measuring "${name}" failed${why}`);
  }
  const l = r.latency;
  const sorted = l.samples ?? [];
  return {
    mean: l.mean,
    p50: l.p50,
    p95: quantile(sorted, 0.95),
    p99: l.p99,
    min: l.min,
    max: l.max,
    samples: l.samplesCount,
    rme: l.rme,
    raw: sorted,
  };
}
