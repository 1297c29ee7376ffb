// Indexes on image_id, built concurrently. ON DELETE SET NULL on a storage row looks up the
// referencing rows by image_id: without these, every storage delete scans posts and "user".
// SQL: sql/steps/07_index-image-id.{up,down}.sql   Verify: sql/verify/07_index-image-id.sql
import type { MigrationBuilder } from 'node-pg-migrate';
import { concurrentIndexStep, statements } from './lib/sql.ts';

export const up = (pgm: MigrationBuilder) => concurrentIndexStep(pgm, 'steps/07_index-image-id.up.sql');

export const down = (pgm: MigrationBuilder) => {
  pgm.noTransaction();
  for (const s of statements('steps/07_index-image-id.down.sql')) pgm.sql(s);
};
