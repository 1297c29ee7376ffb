// The backfill's throughput: the pack's batched procedure against one unbatched UPDATE ... FROM,
// each on its own scratch copy of the same database taken just before the backfill step (CREATE DATABASE ...
// TEMPLATE), so both start from identical rows, triggers and foreign keys.
import { databaseOf } from '../lib/db.ts';
import { sqlText } from '../lib/sql.ts';
import { type Server } from '../lib/target.ts';
import { migrate } from '../lib/migrate.ts';
import { firstOf } from '../lib/plan.ts';
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
  /** rows that got an image_id */
  mapped: number;
}

export interface BackfillComparison {
  posts: number;
  batchSize: number;
  batched: BackfillRun & { slowestBatchMs: number; batches: number };
  single: BackfillRun;
  /** batched rows/s over single rows/s */
  ratio: number;
}

export async function compareBackfill(
  server: Server,
  templateUrl: string,
  batchSize: number,
  log: (line: string) => void,
): Promise<BackfillComparison> {
  const batchedUrl = await server.createDatabase('imgref_bench_batched', databaseOf(templateUrl));
  let singleUrl: string | undefined;
  try {
    const beforeBackfill = firstOf('backfill');
    log(`backfill comparison: the ${beforeBackfill} steps before the backfill, on a copy`);
    await migrate(batchedUrl, { direction: 'up', count: beforeBackfill });
    singleUrl = await server.createDatabase('imgref_bench_single', databaseOf(batchedUrl));

    let done: BackfillDone | null = null;
    const batched = await connect(batchedUrl);
    let batchedMs: number;
    let posts: number;
    try {
      batched.on('notice', (n) => {
        done = parseBackfillDone(n.message ?? '') ?? done;
        if (n.message) log(`  ${n.message}`);
      });
      posts = Number((await batched.query(benchSql('table_rows.sql'))).rows[0].posts);
      await batched.query(sqlText('batches.sql')); // CREATE PROCEDURE image_ref_batches
      await batched.query(sqlText('backfill.sql'));
      log(`backfill comparison: batched procedure, batches of ${batchSize}`);
      const t0 = performance.now();
      await batched.query(benchSql('backfill_batched.sql'), [batchSize]);
      batchedMs = performance.now() - t0;
    } finally {
      await batched.end();
    }
    const d = done as BackfillDone | null;
    if (!d) throw new Error('the backfill procedure ended without its final NOTICE (slowest batch)');

    log('backfill comparison: one UPDATE ... FROM');
    const single = await connect(singleUrl);
    let singleMs: number;
    let singleMapped: number;
    try {
      const t0 = performance.now();
      const r = await single.query(benchSql('backfill_single.sql'));
      singleMs = performance.now() - t0;
      singleMapped = r.rowCount ?? 0;
    } finally {
      await single.end();
    }
    if (singleMapped !== d.mapped) {
      throw new Error(`the two backfills disagree: batched mapped ${d.mapped} posts, the single UPDATE ${singleMapped}`);
    }
    const batchedRate = posts / (batchedMs / 1000);
    const singleRate = posts / (singleMs / 1000);
    return {
      posts,
      batchSize,
      batched: { ms: batchedMs, rowsPerSecond: batchedRate, mapped: d.mapped, slowestBatchMs: d.slowestBatchMs, batches: d.batches },
      single: { ms: singleMs, rowsPerSecond: singleRate, mapped: singleMapped },
      ratio: batchedRate / singleRate,
    };
  } finally {
    if (singleUrl) await server.dropDatabase(singleUrl);
    await server.dropDatabase(batchedUrl);
  }
}
