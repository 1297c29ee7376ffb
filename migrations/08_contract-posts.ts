// Contract, posts: archive the unmapped old values, then drop the old column.
// A .ts wrapper only because the down re-creates the transition trigger from sql/sync/posts.sql,
// the file 04 creates it from.
// SQL: sql/steps/08_contract-posts.{up,down}.sql   Verify: sql/verify/08_contract-posts.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/08_contract-posts.up.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/08_contract-posts.down.sql'));
  pgm.sql(sqlText('sync/posts.sql'));
};
