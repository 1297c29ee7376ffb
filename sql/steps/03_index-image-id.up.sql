-- Run outside a transaction, one statement at a time (CREATE INDEX CONCURRENTLY).
-- Each DROP below is a repair: the migration sends it only when that index is INVALID,
-- the leftover of an interrupted build.

-- Waits here are for older transactions to finish; reads and writes go on meanwhile.
SET lock_timeout = '30s';

-- Partial: rows without an image (most users, many posts) need no entry. The foreign key's
-- lookup (image_id = $1) implies image_id IS NOT NULL, so it can use them.
DROP INDEX CONCURRENTLY IF EXISTS posts_image_id_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_id_idx
  ON posts (image_id) WHERE image_id IS NOT NULL;

DROP INDEX CONCURRENTLY IF EXISTS user_image_id_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS user_image_id_idx
  ON "user" (image_id) WHERE image_id IS NOT NULL;

RESET lock_timeout;
