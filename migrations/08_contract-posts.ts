// Contract, posts: archive the unmapped old values, then drop the old column (one transaction).
// Its down runs outside a transaction (pgm.noTransaction()): the old column comes back empty in
// an instant, the sync trigger is re-attached from sql/sync/posts.sql (the file 04 uses), and
// image_key is filled back in batches that each commit, so a rollback never blocks the table
// for a whole rewrite.
// SQL: sql/steps/08_contract-posts.{up,down,restore}.sql, sql/restore.sql
// Verify: sql/verify/08_contract-posts.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { batchSize, sqlText, statements, withIntegers } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/08_contract-posts.up.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  // Each whole file below is sent as one string: one implicit transaction.
  pgm.sql(sqlText('steps/08_contract-posts.down.sql'));
  pgm.sql(sqlText('sync/posts.sql'));
  pgm.sql(sqlText('restore.sql'));
  for (const s of statements('steps/08_contract-posts.restore.sql')) pgm.sql(withIntegers(s, { batch_size: batchSize() }));
};
