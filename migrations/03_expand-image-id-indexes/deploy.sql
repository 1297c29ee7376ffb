-- Run outside a transaction, one statement at a time (CREATE INDEX CONCURRENTLY).
-- Each DROP below is a repair: the migration sends it only when that index is INVALID,
-- the leftover of an interrupted build.

-- CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes go on. Its waits are for older
-- transactions to finish, so the lock timeout bounds how long it waits for them, not a queue
-- app queries stand in. No statement timeout: a build cancelled halfway leaves an INVALID index,
-- and a database default (managed providers set one) must not do that. The lock timeout must
-- stay above deadlock_timeout (1 s): an autovacuum holding the table is cancelled only for a
-- lock request that has waited that long (harness/test/autovacuum.test.ts).
SET lock_timeout = '30s';
SET statement_timeout = 0;

-- Partial: rows without an image (most users, many posts) need no entry. The foreign key's
-- lookup (image_id = $1) implies image_id IS NOT NULL, so it can use them.
DROP INDEX CONCURRENTLY IF EXISTS posts_image_id_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_id_idx
  ON posts (image_id) WHERE image_id IS NOT NULL;

DROP INDEX CONCURRENTLY IF EXISTS user_image_id_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS user_image_id_idx
  ON "user" (image_id) WHERE image_id IS NOT NULL;

-- The rows an upload may resolve (image_ref_resolve_posts / _user, 05): a key and no image_id.
-- Hash: keys of any length (a btree entry stops at 2704 bytes), exact equality is all it needs.
-- Built now it covers every row with a key; the backfill then empties it, and it stays as
-- small as the unmapped keys. The contract drops it with the old column.
DROP INDEX CONCURRENTLY IF EXISTS posts_image_key_unmapped_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_key_unmapped_idx
  ON posts USING hash (image_key) WHERE image_id IS NULL AND image_key IS NOT NULL;

DROP INDEX CONCURRENTLY IF EXISTS user_image_unmapped_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS user_image_unmapped_idx
  ON "user" USING hash (image) WHERE image_id IS NULL AND image IS NOT NULL;

-- The feed's two storage lookups by id (the avatar's and the image's file_key, sql/queries/
-- feed.sql): a hash probe reads one bucket page and the heap where storage_pkey descends its
-- btree first, and those lookups are most of what the pack adds to a feed page's reads. The
-- primary key stays: uniqueness and the foreign keys need it.
DROP INDEX CONCURRENTLY IF EXISTS storage_id_hash_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS storage_id_hash_idx
  ON storage USING hash (id);

RESET statement_timeout;
RESET lock_timeout;
