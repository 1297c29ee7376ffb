// Before and after side by side, to compare them fairly on a busy machine: the before/ query on a
// baseline twin of the database (a copy taken right after seeding) and the new query on the
// migrated one, alternating in short rounds. A burst of load from elsewhere then hits both sides
// alike, instead of whichever phase of the run it happened to fall in.
import { measure, summarize, type Latency } from './measure.ts';

export interface Pair {
  name: string;
  before: () => Promise<unknown>;
  after: () => Promise<unknown>;
}

export interface InterleavedResult {
  name: string;
  /** every round's samples pooled */
  before: Latency;
  after: Latency;
}

export async function interleaved(
  pairs: Pair[],
  opts: { rounds: number; roundMs: number; warmupMs: number },
  log: (line: string) => void,
): Promise<InterleavedResult[]> {
  const out: InterleavedResult[] = [];
  for (const p of pairs) {
    log(`interleaved: ${p.name}, ${opts.rounds} rounds of ${opts.roundMs} ms a side`);
    const samples = { before: [] as number[], after: [] as number[] };
    for (let round = 0; round < opts.rounds; round++) {
      // who goes first alternates too
      const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) {
        const m = await measure(`${side}: ${p.name}`, p[side], {
          timeMs: opts.roundMs,
          warmupMs: round === 0 ? opts.warmupMs : Math.min(50, opts.warmupMs),
          minIterations: 10,
        });
        samples[side].push(...m.raw);
      }
    }
    out.push({ name: p.name, before: summarize(samples.before), after: summarize(samples.after) });
  }
  return out;
}
