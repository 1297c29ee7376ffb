// Expand, part 3: indexes on image_id, built concurrently, before 04 adds the foreign keys.
// From then on ON DELETE SET NULL on a storage row looks up the referencing rows by image_id:
// without these, every storage delete would scan posts and "user" for the whole backfill.
// On columns that are still all NULL the partial indexes build in an instant.
// SQL: sql/steps/03_index-image-id.{up,down}.sql   Verify: sql/verify/03_index-image-id.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { concurrentIndexStep, statements } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => concurrentIndexStep(pgm, 'steps/03_index-image-id.up.sql');

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  for (const s of statements('steps/03_index-image-id.down.sql')) pgm.sql(s);
};
