// Backfill: image_id from the old keys, in batches that each commit on their own.
// A .ts wrapper because it must run outside a transaction (pgm.noTransaction()).
// SQL: sql/backfill.sql (the procedure), sql/steps/06_backfill.up.sql
// Verify: sql/verify/06_backfill.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { batchSize, intFromEnv, sqlText, statements, withIntegers } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  const vars = {
    batch_size: batchSize(),
    pause_ms: intFromEnv('BACKFILL_PAUSE_MS', 0, 0),
  };
  pgm.sql(sqlText('backfill.sql'));
  for (const s of statements('steps/06_backfill.up.sql')) pgm.sql(withIntegers(s, vars));
};

// Nothing to undo: the backfill only filled image_id, which 01's down drops. Clearing it here
// would fire the sync trigger and clear the old keys too.
export const down = () => {};
