// A scratch database with the baseline, seeded: the start of make bench and make bench-batch-sizes.
import { loadBaseline, type Server } from '../lib/target.ts';
import { seed, type SeedOptions, type SeedSummary } from '../lib/seed/seed.ts';
import { createProgress } from '../lib/progress.ts';
import { connect } from './db.ts';

/** A new database on `server` with the baseline, seeded at `posts` (progress and totals through `log`). */
export async function seedDatabase(server: Server, posts: number, seedOptions: Partial<SeedOptions>, log: (line: string) => void): Promise<{ url: string; summary: SeedSummary }> {
  const url = await server.createDatabase('imgref_bench');
  await loadBaseline(url);
  log(`seeding ${posts.toLocaleString('en-US')} posts`);
  const progress = createProgress({ label: 'bench seed' });
  const c = await connect(url);
  try {
    const summary = await seed(c, { ...seedOptions, posts, onProgress: progress.onProgress });
    log(`seeded in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${JSON.stringify(summary.rows)}`);
    return { url, summary };
  } finally {
    progress.finish();
    await c.end();
  }
}
