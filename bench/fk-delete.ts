// What the Drizzle-expressible foreign key costs a storage delete: posts (image_id) -> storage
// (id) ON DELETE SET NULL with the same-organization triggers (the pack since issue 9), against
// the composite key it replaced (bench/sql/fk_composite.sql), on two copies of the same seeded
// and migrated database. DELETE of a storage row posts point at, each in a transaction rolled back
// (the data stays), alternating between the two designs in short rounds.
//
//   npx tsx bench/fk-delete.ts             # 200,000 posts
//   SCALE=20k npx tsx bench/fk-delete.ts   # a quick run
//
// Knobs (lib/settings.ts; defaults in the README): SCALE (default 200k here), BENCH_ROUNDS,
// BENCH_ROUND_DELETES, BENCH_OUT, FK_DELETE_AT (`end`: the whole pack; `transition`: up to 07,
// with the sync triggers), and the seeder's. The README's figures: BENCH_ROUNDS=40.
// Writes bench/results/fk-delete-<timestamp>.json.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { databaseOf } from '../lib/db.ts';
import { loadBaseline, ServerStartError, startServer, type Server } from '../lib/target.ts';
import { migrate, migrationNames } from '../lib/migrate.ts';
import { seed, seedOptionsFromEnv } from '../lib/seed/seed.ts';
import { createProgress } from '../lib/progress.ts';
import { benchSql, connect } from './db.ts';
import { summarize, type Latency } from './measure.ts';
import { BadInput, intSetting, posts, textSetting } from '../lib/settings.ts';

const log = (line: string) => process.stderr.write(`[fk-delete] ${line}\n`);

/** Seeds one database, copies it, migrates both; the copy gets the composite key. */
async function prepare(server: Server, at: 'end' | 'transition') {
  const seedOptions = { ...seedOptionsFromEnv(process.env), posts: posts('fk-delete') };
  const url = await server.createDatabase('imgref_fkdel');
  await loadBaseline(url);
  const progress = createProgress();
  const c0 = await connect(url);
  await seed(c0, { ...seedOptions, onProgress: progress.onProgress });
  progress.finish();
  await c0.end();
  const twinUrl = await server.createDatabase('imgref_fkdel_twin', databaseOf(url));
  const count = at === 'end' ? undefined : migrationNames().indexOf('07_validate-foreign-keys') + 1;
  for (const u of [url, twinUrl]) await migrate(u, { direction: 'up', count, log: (l) => log(l.trim()) });
  const [single, composite] = [await connect(url), await connect(twinUrl)];
  await composite.query(benchSql('fk_composite.sql'));
  for (const c of [single, composite]) await c.query(benchSql('vacuum_analyze.sql'));
  return { posts: seedOptions.posts, single, composite };
}

/** Times `n` deletes of the given ids, each alone in a transaction that is rolled back. */
async function deletes(c: pg.Client, ids: string[], n: number, from: number, out: number[]): Promise<void> {
  const text = benchSql('delete_storage.sql');
  for (let i = 0; i < n; i++) {
    await c.query('BEGIN');
    const t = performance.now();
    const r = await c.query({ name: 'delete_storage', text, values: [ids[(from + i) % ids.length]] });
    out.push(performance.now() - t);
    await c.query('ROLLBACK');
    if (r.rowCount !== 1) throw new Error(`the storage delete removed ${r.rowCount} rows, expected 1`);
  }
}

async function run(server: Server) {
  const at = textSetting('FK_DELETE_AT');
  if (at !== 'end' && at !== 'transition') throw new BadInput(`FK_DELETE_AT must be end or transition, got "${at}"`);
  const { posts, single, composite } = await prepare(server, at);
  try {
    const ids = (await single.query(benchSql('sample_referenced_storage.sql'), [1000])).rows.map((r) => r.id as string);
    const rounds = intSetting('BENCH_ROUNDS');
    const n = intSetting('BENCH_ROUND_DELETES');
    const samples = { single: [] as number[], composite: [] as number[] };
    // Warmup: the prepared statement, and every sampled row and its posts in the cache, on both
    // sides (the copy's key was just built by a scan of its own, the original's long before).
    await deletes(single, ids, ids.length, 0, []);
    await deletes(composite, ids, ids.length, 0, []);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['single', 'composite'] as const) : (['composite', 'single'] as const);
      for (const side of order) await deletes(side === 'single' ? single : composite, ids, n, round * n, samples[side]);
      log(`round ${round + 1}/${rounds}`);
    }
    const result: Record<'single' | 'composite', Latency> = { single: summarize(samples.single), composite: summarize(samples.composite) };
    return { posts, at, referencedSample: ids.length, rounds, deletesPerRound: n, ...result };
  } finally {
    await single.end();
    await composite.end();
  }
}

async function main(): Promise<number> {
  let server: Server | undefined;
  try {
    server = await startServer();
    const startedAt = new Date().toISOString();
    const r = await run(server);
    const f = (l: Latency) => `p50 ${l.p50.toFixed(3)} p99 ${l.p99.toFixed(3)} mean ${l.mean.toFixed(3)} (${l.samples} deletes)`;
    console.log(`\nstorage delete of a referenced row, ${r.posts} posts, ${r.at === 'end' ? 'after the whole pack' : 'during the transition (pack up to 07)'} (ms)`);
    console.log(`  composite key (before issue 9):            ${f(r.composite)}`);
    console.log(`  image_id key + same-organization triggers: ${f(r.single)}`);
    const out = path.resolve(import.meta.dirname, '..', textSetting('BENCH_OUT'));
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `fk-delete-${startedAt.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ startedAt, ...r }, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
  } catch (err) {
    console.error(`bench-fk-delete: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    return err instanceof ServerStartError || err instanceof BadInput ? 2 : 1;
  } finally {
    await server?.stop().catch(() => {});
  }
}

process.exit(await main());
