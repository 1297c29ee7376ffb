// Backfill: image_id from the old keys, in batches that each commit on their own.
// A .ts wrapper because it must run outside a transaction (pgm.noTransaction()).
// SQL: sql/backfill.sql (the procedure), sql/steps/06_backfill.up.sql
// Verify: sql/verify/06_backfill.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { backfillStatements } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  // The same statements `make backfill` sends (one list for both paths).
  for (const s of backfillStatements()) pgm.sql(s);
};

// Nothing to undo: the backfill only filled image_id, which 01's down drops. Clearing it here
// would fire the sync trigger and clear the old keys too.
export const down = () => {};
