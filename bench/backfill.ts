// The backfill against its physical reference (issue 13), in one run, each on a scratch copy of
// the same database taken just before the backfill step (CREATE DATABASE ... TEMPLATE, after
// step 05), so every variant starts from identical rows:
//  - the references: posts with the same columns, rows and indexes but no trigger and no foreign
//    key (bench/sql/backfill_reference_table.sql), written (a) by one UPDATE ... FROM with the
//    mapping rule, (b) by the pack's page walk with nothing else (backfill_reference_batched.sql).
//    The faster of the two is "the reference";
//  - the pack's batched procedure, as it is (sql/batches.sql + sql/backfill.sql);
//  - the ideas of issue 13 item 2, each as the pack with one thing changed back or away
//    (bench/sql/backfill_idea_*.sql), so each idea's share shows against the pack as it is.
import os from 'node:os';
import type pg from 'pg';
import { databaseOf } from '../lib/db.ts';
import { sqlText } from '../lib/sql.ts';
import { type Server } from '../lib/target.ts';
import { migrate } from '../lib/migrate.ts';
import { firstOf } from '../lib/plan.ts';
import { packVars } from '../lib/settings.ts';
import { benchSql, connect } from './db.ts';

/** The procedure's final NOTICE for one table. */
export interface BackfillDone {
  table: string;
  scanned: number;
  mapped: number;
  batches: number;
  batchSize: number;
  seconds: number;
  rowsPerSecond: number;
  slowestBatchMs: number;
}

const DONE =
  /backfill (\w+): done, (\d+) rows scanned, (\d+) written, (\d+) batches \(last \d+ pages, started at about (\d+) rows\) in ([\d.]+) s \((\d+) rows\/s\), slowest batch ([\d.]+) ms/;

/** Parses the backfill's last NOTICE (sql/batches.sql) ('... slowest batch % ms'); null for any other line. */
export function parseBackfillDone(line: string): BackfillDone | null {
  const m = DONE.exec(line);
  if (!m) return null;
  return {
    table: m[1],
    scanned: Number(m[2]),
    mapped: Number(m[3]),
    batches: Number(m[4]),
    batchSize: Number(m[5]),
    seconds: Number(m[6]),
    rowsPerSecond: Number(m[7]),
    slowestBatchMs: Number(m[8]),
  };
}

export interface BackfillRun {
  /** wall time seen by the client, ms */
  ms: number;
  /** posts rows scanned (the whole table) per second of wall time */
  rowsPerSecond: number;
  /** seconds per million posts rows (the whole table) */
  secondsPerMillion: number;
  /** rows that got an image_id */
  mapped: number;
  /** batched runs only */
  batches?: number;
  slowestBatchMs?: number;
  /** the 1-minute load average when the run ended */
  loadavg: number;
  /** WAL the server wrote during the run, bytes (what a replica must replay; autovacuum included) */
  walBytes?: number;
}

/** One idea of issue 13 item 2, as the pack with that one thing changed back (or the key dropped). */
export interface BackfillIdea {
  name: string;
  /** what the copy changed before the pack's procedure ran */
  change: string;
  /** whether the pack has the idea (the row shows what it saves), or it is a measurement only */
  adopted: boolean;
  run: BackfillRun;
  /** this variant's time over the pack's (as it is) */
  overPack: number;
  /** this variant's time over the reference */
  overReference: number;
}

export interface BackfillComparison {
  posts: number;
  batchSize: number;
  reference: {
    single: BackfillRun;
    batched: BackfillRun;
    /** the faster of the two */
    fastest: 'single' | 'batched';
    ms: number;
  };
  /** the pack's procedure as it is, on a copy, next to the references */
  batched: BackfillRun & { slowestBatchMs: number; batches: number };
  /** batched.ms / reference.ms */
  ratio: number;
  /** every headline run, ms (each figure above is the best of these) */
  rounds: { single: number; batched: number; pack: number }[];
  ideas: BackfillIdea[];
}


/** An idea's copy: `file` run on it first; `procedure`, if any, rewrites sql/backfill.sql's text for it. */
interface Idea { name: string; file: string; change: string; adopted: boolean; procedure?: (text: string) => string }

/** text with `from` cut out; throws when sql/backfill.sql no longer has it (the idea would measure nothing). */
const without = (from: string) => (text: string): string => {
  if (!text.includes(from)) throw new Error(`bench idea: sql/backfill.sql no longer has ${JSON.stringify(from)}`);
  return text.split(from).join('');
};

const IDEAS: Idea[] = [
  {
    name: 'sync trigger called for the backfill\'s rows',
    file: 'backfill_idea_sync_called.sql',
    change: 'image_ref_sync without its WHEN, calling a function that returns at once for the backfill (as before issue 13)',
    adopted: true,
  },
  {
    name: 'organization trigger on the backfill\'s rows',
    file: 'backfill_idea_org_checked.sql',
    change: 'image_ref_same_organization_update with its WHEN before issue 13 (fires on every backfilled row)',
    adopted: true,
  },
  {
    name: 'no foreign key (measurement only)',
    file: 'backfill_idea_no_fk.sql',
    change: 'posts_image_id_fkey dropped: its per-row check cannot be skipped without superuser',
    adopted: false,
  },
  {
    // What the foreign key's lock costs: each file's FOR KEY SHARE writes its tuple header, so
    // every storage page a batch touches is dirtied (and WAL-logged, a full page after each
    // checkpoint), pages a plain read would leave clean.
    name: 'no foreign key and no lock on the files (measurement only)',
    file: 'backfill_idea_no_fk.sql',
    change: "the key dropped and the batch's FOR KEY SHARE on the files removed: unsafe (a file deleted during a batch would leave a dangling image_id)",
    adopted: false,
    procedure: without('\n       FOR KEY SHARE'),
  },
  {
    name: 'no foreign key and no row locks at all (measurement only)',
    file: 'backfill_idea_no_fk.sql',
    change: "as above, and the posts rows not locked FOR NO KEY UPDATE NOWAIT before the write: unsafe (a batch would wait behind app transactions)",
    adopted: false,
    procedure: (t) => without('\n       FOR NO KEY UPDATE OF p NOWAIT')(without('\n       FOR KEY SHARE')(t)),
  },
];

const rate = (posts: number, ms: number, mapped: number, extra: Partial<BackfillRun> = {}): BackfillRun => ({
  ms,
  rowsPerSecond: posts / (ms / 1000),
  secondsPerMillion: ms / 1000 / (posts / 1e6),
  mapped,
  ...extra,
  loadavg: os.loadavg()[0],
});

/** A fresh copy of the step-05 database, set up by `prepare`, then `run` timed on it; dropped after. */
async function onCopy<T extends BackfillRun>(server: Server, from: string, prepare: string[], run: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = await server.createDatabase('imgref_bench_backfill', databaseOf(from));
  try {
    const c = await connect(url);
    try {
      for (const text of prepare) await c.query(text);
      // The copy's writes out of the way of the timed run (superuser or pg_checkpoint; else skipped).
      await c.query('CHECKPOINT').catch(() => {});
      const lsn = (await c.query('SELECT pg_current_wal_lsn() AS l')).rows[0].l as string;
      const result = await run(c);
      const wal = await c.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS b', [lsn]);
      return { ...result, walBytes: Number(wal.rows[0].b) };
    } finally {
      await c.end();
    }
  } finally {
    await server.dropDatabase(url);
  }
}

/** The pack's batched procedure, with target_ms 0 (fixed batches, as the references). */
type PackRun = BackfillRun & { slowestBatchMs: number; batches: number };

async function packRun(c: pg.Client, posts: number, batchSize: number, log: (line: string) => void, procedure = (t: string) => t): Promise<PackRun> {
  let done: BackfillDone | null = null;
  c.on('notice', (n) => {
    done = parseBackfillDone(n.message ?? '') ?? done;
    if (n.message) log(`  ${n.message}`);
  });
  await c.query(sqlText('batches.sql')); // CREATE PROCEDURE image_ref_batches
  await c.query(procedure(sqlText('backfill.sql')));
  const t0 = performance.now();
  await c.query(benchSql('backfill_batched.sql'), [batchSize, packVars().max_lag_ms]);
  const ms = performance.now() - t0;
  const d = done as BackfillDone | null;
  if (!d) throw new Error('the backfill procedure ended without its final NOTICE (slowest batch)');
  return { ...rate(posts, ms, d.mapped), slowestBatchMs: d.slowestBatchMs, batches: d.batches };
}

/** Reference (b): the page walk on posts without triggers or foreign keys. */
async function referenceWalk(server: Server, at: string, posts: number, batchSize: number): Promise<BackfillRun> {
  return onCopy(server, at, [benchSql('backfill_reference_table.sql'), benchSql('backfill_reference_batched.sql')], async (c) => {
    const t0 = performance.now();
    const { rows } = await c.query(benchSql('backfill_reference_call.sql'), [batchSize]);
    const ms = performance.now() - t0;
    return rate(posts, ms, Number(rows[0].written), { batches: Number(rows[0].batches), slowestBatchMs: Number(rows[0].slowest_ms) });
  });
}

/** Reference (a): one UPDATE ... FROM on posts without triggers or foreign keys. */
async function referenceSingle(server: Server, at: string, posts: number): Promise<BackfillRun> {
  return onCopy(server, at, [benchSql('backfill_reference_table.sql')], async (c) => {
    const t0 = performance.now();
    const r = await c.query(benchSql('backfill_single.sql'));
    return rate(posts, performance.now() - t0, r.rowCount ?? 0);
  });
}

/** The run with the least wall time: load from other processes only ever adds time. */
const best = <T extends { ms: number }>(runs: T[]): T => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

/**
 * rounds: of the headline figures (the references and the pack), in alternating order, each
 * figure the best of its rounds (BENCH_BACKFILL_ROUNDS). ideas: run each idea once (their effects
 * are large), or skip them (BENCH_BACKFILL_IDEAS=0).
 */
export async function compareBackfill(
  server: Server,
  templateUrl: string,
  opts: { batchSize: number; rounds: number; ideas: boolean },
  log: (line: string) => void,
): Promise<BackfillComparison> {
  const { batchSize } = opts;
  const at = await server.createDatabase('imgref_bench_step05', databaseOf(templateUrl));
  try {
    const beforeBackfill = firstOf('backfill');
    log(`backfill comparison: the ${beforeBackfill} steps before the backfill, on a copy`);
    await migrate(at, { direction: 'up', count: beforeBackfill });
    const c0 = await connect(at);
    const posts = Number((await c0.query(benchSql('table_rows.sql'))).rows[0].posts);
    await c0.end();

    // The headline figures, opts.rounds times in alternating order (the machine's load drifts),
    // each the best of its rounds; every round is kept in the results.
    const rounds: { single: BackfillRun; batched: BackfillRun; pack: PackRun }[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? (['batched', 'single', 'pack'] as const) : (['pack', 'single', 'batched'] as const);
      const got: Partial<(typeof rounds)[number]> = {};
      for (const what of order) {
        log(`backfill, round ${round + 1}/${opts.rounds}: ${what === 'pack' ? "the pack's procedure" : what === 'single' ? 'reference (a), one UPDATE ... FROM' : 'reference (b), the page walk'}`);
        if (what === 'pack') got.pack = await onCopy(server, at, [], (c) => packRun(c, posts, batchSize, log));
        else if (what === 'single') got.single = await referenceSingle(server, at, posts);
        else got.batched = await referenceWalk(server, at, posts, batchSize);
        log(`backfill: ${what} ${((got[what] as BackfillRun).ms / 1000).toFixed(2)} s`);
      }
      rounds.push(got as (typeof rounds)[number]);
    }
    const ref = { single: best(rounds.map((r) => r.single)), batched: best(rounds.map((r) => r.batched)) };
    const batched = best(rounds.map((r) => r.pack));
    for (const [what, r] of [['reference (a)', ref.single], ['reference (b)', ref.batched]] as const) {
      if (r.mapped !== batched.mapped) throw new Error(`the backfills disagree: the pack mapped ${batched.mapped} posts, ${what} ${r.mapped}`);
    }
    const fastest = ref.single.ms <= ref.batched.ms ? 'single' : 'batched';
    const refMs = Math.min(ref.single.ms, ref.batched.ms);

    const ideas: BackfillIdea[] = [];
    for (const idea of opts.ideas ? IDEAS : []) {
      log(`backfill idea: ${idea.name}`);
      const run = await onCopy(server, at, [benchSql(idea.file)], (c) => packRun(c, posts, batchSize, log, idea.procedure));
      if (run.mapped !== batched.mapped) throw new Error(`backfill idea "${idea.name}" mapped ${run.mapped} posts, the pack ${batched.mapped}`);
      ideas.push({ name: idea.name, change: idea.change, adopted: idea.adopted, run, overPack: run.ms / batched.ms, overReference: run.ms / refMs });
    }
    const runs = rounds.map((r) => ({ single: r.single.ms, batched: r.batched.ms, pack: r.pack.ms }));
    return { posts, batchSize, reference: { ...ref, fastest, ms: refMs }, batched, ratio: batched.ms / refMs, rounds: runs, ideas };
  } finally {
    await server.dropDatabase(at);
  }
}
