// Helpers for the thin .ts migrations: every statement they send is read from sql/.
// This folder is skipped by node-pg-migrate (it only loads files, not directories).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationBuilder } from 'node-pg-migrate';

const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');

export function sqlText(rel: string): string {
  return fs.readFileSync(path.join(SQL_DIR, rel), 'utf8');
}

/**
 * Splits a file of plain statements (no $$ bodies) on semicolons at line ends, so each one can
 * be sent alone: outside a transaction, a multi-statement string runs as one implicit
 * transaction, and CREATE INDEX CONCURRENTLY refuses to run inside one.
 */
export function statements(rel: string): string[] {
  const text = sqlText(rel)
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
  return text
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

const REPAIR = /^DROP INDEX CONCURRENTLY IF EXISTS\s+("?[\w]+"?)/i;

/**
 * Queues a no-transaction step of concurrent index builds. A `DROP INDEX CONCURRENTLY IF EXISTS x`
 * in such a file is a repair: it is sent only when x is INVALID (left by an interrupted build),
 * because `CREATE INDEX ... IF NOT EXISTS` alone would keep the broken index.
 */
export async function concurrentIndexStep(pgm: MigrationBuilder, rel: string): Promise<void> {
  pgm.noTransaction();
  const invalid = new Set(
    (await pgm.db.select(sqlText('lib/invalid_indexes.sql'))).map((r: { name: string }) => r.name),
  );
  for (const stmt of statements(rel)) {
    const repair = REPAIR.exec(stmt);
    if (repair && !invalid.has(repair[1].replaceAll('"', ''))) continue;
    pgm.sql(stmt);
  }
}

/** Substitutes psql-style :name variables with validated integers. */
export function withIntegers(stmt: string, vars: Record<string, number>): string {
  return stmt.replace(/:(\w+)\b/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** An integer from the environment, or a clear error naming the variable. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** Rows per batch for the backfill and the contracts' restores. */
// 1000 rows: a batch holds its rows' locks for its whole length, and under live traffic on 2
// cores batches of 2500 took up to 470 ms (the backfill) and 820 ms (the archive pass) at 1M
// posts; app writes to those rows waited as long. Batches of 1k to 50k rows write at much the
// same rate (README), so the smaller size costs little. The batches adapt below it
// (BACKFILL_TARGET_MS, sql/batches.sql).
export const DEFAULT_BATCH_SIZE = 1000;
export const batchSize = () => intFromEnv('BACKFILL_BATCH_SIZE', DEFAULT_BATCH_SIZE, 1);
