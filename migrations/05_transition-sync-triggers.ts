// Transition: triggers keep image_key/image and image_id consistent while both exist.
// A .ts wrapper only because the same SQL (sql/sync/*.sql) is created again by the contracts'
// downs; node-pg-migrate's .sql migrations cannot include a file.
// SQL: sql/sync/posts.sql, sql/sync/user.sql, sql/steps/05_transition-sync-triggers.down.sql
// Verify: sql/verify/05_transition-sync-triggers.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('sync/posts.sql'));
  pgm.sql(sqlText('sync/user.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/05_transition-sync-triggers.down.sql'));
};
