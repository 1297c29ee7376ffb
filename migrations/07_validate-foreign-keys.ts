// Validate: VALIDATE CONSTRAINT on both keys, in its own transaction (reads and writes go on).
// SQL: sql/lib/lock_retry.sql, sql/steps/07_validate-foreign-keys.up.sql
// Verify: sql/verify/07_validate-foreign-keys.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { stepText } from './lib/knobs.ts';

export const up = (pgm: MigrationBuilder) => {
  pgm.sql(stepText('lib/lock_retry.sql'));
  pgm.sql(stepText('steps/07_validate-foreign-keys.up.sql'));
};

// Nothing to undo: a validated key is the same key; 04's down drops it.
export const down = () => {};
