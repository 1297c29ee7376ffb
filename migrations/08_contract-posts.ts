// Contract, posts: archive the unmapped old values and check every row in committed batches,
// then drop posts.image_key in one short transaction. No step scans the table under a lock that
// blocks writes, and no lock is upgraded. Its down runs the same way in reverse: the column
// comes back empty in an instant, the sync trigger is attached again, and image_key is written
// back in batches while the app keeps writing.
// SQL: sql/guards/rows_visible.sql, sql/lib/lock_retry.sql, sql/batches.sql, sql/archive.sql,
//      sql/restore.sql, sql/sync/posts.sql, sql/steps/08_contract-posts.*.sql
// Verify: sql/verify/08_contract-posts.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';
import { stepStatements, stepText } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  pgm.sql(sqlText('guards/rows_visible.sql'));
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/08_contract-posts.up.sql') + '\n' + sqlText('lib/pin_functions.sql'));
  pgm.sql(sqlText('batches.sql'));
  pgm.sql(sqlText('archive.sql'));
  for (const s of stepStatements('steps/08_contract-posts.archive.sql')) pgm.sql(s);
  // One string: the new functions are pinned in the transaction that creates them.
  pgm.sql(stepText('steps/08_contract-posts.drop.sql') + '\n' + sqlText('lib/pin_functions.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  pgm.sql(sqlText('guards/rows_visible.sql'));
  pgm.sql(stepText('lib/lock_retry.sql'));
  // One string: one implicit transaction (the column and the pinned triggers come back together).
  pgm.sql([stepText('steps/08_contract-posts.down.sql'), sqlText('sync/posts.sql'), sqlText('lib/pin_functions.sql')].join('\n'));
  pgm.sql(sqlText('batches.sql'));
  pgm.sql(sqlText('restore.sql'));
  for (const s of stepStatements('steps/08_contract-posts.restore.sql')) pgm.sql(s);
  pgm.sql(stepText('steps/08_contract-posts.finish.sql'));
  pgm.sql(stepText('steps/08_contract-posts.finish-storage.sql'));
};
