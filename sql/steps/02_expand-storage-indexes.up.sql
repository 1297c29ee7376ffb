-- Run outside a transaction, one statement at a time (CREATE INDEX CONCURRENTLY).
-- Each DROP below is a repair: the migration sends it only when that index is INVALID,
-- the leftover of an interrupted build.

-- CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes go on. Its waits are for older
-- transactions to finish, so the timeout bounds how long it waits for them, not a lock queue.
SET lock_timeout = '30s';

-- The unique key the composite foreign key posts (organization_id, image_id) references.
-- id alone is already unique; this index exists for the tenant-integrity foreign key.
DROP INDEX CONCURRENTLY IF EXISTS storage_organization_id_id_key;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS storage_organization_id_id_key
  ON storage (organization_id, id);

-- The mapping rule's lookup: file_key exactly, oldest first (created_at, then id).
-- Used by the transition triggers on every write and by the backfill; without it each lookup
-- scans storage.
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_created_at_id_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS storage_file_key_created_at_id_idx
  ON storage (file_key, created_at, id);

RESET lock_timeout;
