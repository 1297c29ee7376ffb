// Transition: triggers keep image_key/image and image_id consistent while both exist, and
// resolve posts and users whose upload arrives after them. One transaction.
// A .ts wrapper because the same SQL (sql/sync/*.sql) is created again by the contracts' downs.
// SQL: sql/lib/lock_retry.sql, sql/steps/05_transition-sync-triggers.{up,down}.sql,
//      sql/sync/posts.sql, sql/sync/user.sql, sql/lib/pin_functions.sql
// Verify: sql/verify/05_transition-sync-triggers.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';
import { stepText } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/05_transition-sync-triggers.up.sql'));
  pgm.sql(sqlText('sync/posts.sql'));
  pgm.sql(sqlText('sync/user.sql'));
  pgm.sql(sqlText('lib/pin_functions.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/05_transition-sync-triggers.down.sql'));
};
