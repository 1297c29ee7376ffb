// Expand, part 1: refuse what the pack cannot handle safely, then add posts.image_id and
// "user".image_id. A .ts wrapper so that the guards live in files of their own, shared with
// later migrations (rows_visible.sql). Everything runs in one transaction: a refusal leaves
// the app's tables as they were.
// SQL: sql/guards/*.sql, sql/lib/lock_retry.sql, sql/steps/01_expand-columns.{up,down}.sql
// Verify: sql/verify/01_expand-columns.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';
import { stepText } from './lib/knobs.ts';

/** In order: the baseline first (the others assume the tables exist), then who runs the pack,
 *  what the tables are, what the role can see (before anything counts rows), stray columns. */
export const GUARDS = ['baseline', 'owner', 'plain_tables', 'rows_visible', 'image_id_unused'];

export const up = (pgm: MigrationBuilder) => {
  for (const guard of GUARDS) pgm.sql(sqlText(`guards/${guard}.sql`));
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/01_expand-columns.up.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/01_expand-columns.down.sql'));
};
