// Expand, part 2: indexes on storage, built concurrently, so no app write waits on them.
// SQL: sql/steps/02_expand-storage-indexes.{up,down}.sql   Verify: sql/verify/02_expand-storage-indexes.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { concurrentIndexStep, statements } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => concurrentIndexStep(pgm, 'steps/02_expand-storage-indexes.up.sql');

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  for (const s of statements('steps/02_expand-storage-indexes.down.sql')) pgm.sql(s);
};
