// Contract, user: archive the unmapped old values (OAuth avatar URLs among them) and check every
// row in committed batches, then drop "user".image in one short transaction. WARNING: better-auth
// treats "user".image as a core field (README: "Stopping before the user contract"). No step scans the table under a lock that
// blocks writes, and no lock is upgraded. Its down runs the same way in reverse: the column
// comes back empty in an instant, the sync trigger is attached again, and image is written
// back in batches while the app keeps writing.
// SQL: sql/guards/rows_visible.sql, sql/lib/lock_retry.sql, sql/batches.sql, sql/archive.sql,
//      sql/restore.sql, sql/sync/user.sql, sql/steps/09_contract-user.*.sql
// Verify: sql/verify/09_contract-user.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';
import { stepStatements, stepText } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  pgm.sql(sqlText('guards/rows_visible.sql'));
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/09_contract-user.up.sql') + '\n' + sqlText('lib/pin_functions.sql'));
  pgm.sql(sqlText('batches.sql'));
  pgm.sql(sqlText('archive.sql'));
  for (const s of stepStatements('steps/09_contract-user.archive.sql')) pgm.sql(s);
  // One string: the new functions are pinned in the transaction that creates them.
  pgm.sql(stepText('steps/09_contract-user.drop.sql') + '\n' + sqlText('lib/pin_functions.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  pgm.sql(sqlText('guards/rows_visible.sql'));
  pgm.sql(stepText('lib/lock_retry.sql'));
  // One string: one implicit transaction (the column and the pinned triggers come back together).
  pgm.sql([stepText('steps/09_contract-user.down.sql'), sqlText('sync/user.sql'), sqlText('lib/pin_functions.sql')].join('\n'));
  pgm.sql(sqlText('batches.sql'));
  pgm.sql(sqlText('restore.sql'));
  for (const s of stepStatements('steps/09_contract-user.restore.sql')) pgm.sql(s);
  pgm.sql(stepText('steps/09_contract-user.finish.sql'));
  pgm.sql(stepText('steps/09_contract-user.finish-storage.sql'));
};
