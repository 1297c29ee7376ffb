// Expand, part 4: the foreign keys, NOT VALID (one transaction, locks taken in short attempts).
// SQL: sql/lib/lock_retry.sql, sql/steps/04_expand-foreign-keys.{up,down}.sql
// Verify: sql/verify/04_expand-foreign-keys.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { stepText } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/04_expand-foreign-keys.up.sql'));
};

export const down = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/04_expand-foreign-keys.down.sql'));
};
