// Contract, user: archive the unmapped old values, then drop the old column.
// A .ts wrapper only because the down re-creates the transition trigger from sql/sync/user.sql,
// the file 04 creates it from.
// SQL: sql/steps/09_contract-user.{up,down}.sql   Verify: sql/verify/09_contract-user.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { sqlText } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/09_contract-user.up.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(sqlText('steps/09_contract-user.down.sql'));
  pgm.sql(sqlText('sync/user.sql'));
};
