// Backfill: image_id from the old keys, in batches that each commit on their own.
// A .ts wrapper because it must run outside a transaction (pgm.noTransaction()).
// SQL: sql/backfill.sql (the procedure), sql/steps/05_backfill.up.sql
// Verify: sql/verify/05_backfill.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText, statements, withIntegers } from './lib/sql.ts';

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export const up = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  const vars = {
    batch_size: intFromEnv('BACKFILL_BATCH_SIZE', 5000, 1),
    pause_ms: intFromEnv('BACKFILL_PAUSE_MS', 0, 0),
  };
  pgm.sql(sqlText('backfill.sql'));
  for (const s of statements('steps/05_backfill.up.sql')) pgm.sql(withIntegers(s, vars));
};

// Nothing to undo: the backfill only filled image_id, which 01's down drops. Clearing it here
// would fire the sync trigger and clear the old keys too.
export const down = () => {};
