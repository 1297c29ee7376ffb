-- Run outside a transaction, one statement at a time (CREATE INDEX CONCURRENTLY).
-- The DROP below is a repair: the migration sends it only when that index is INVALID,
-- the leftover of an interrupted build.

-- CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes go on. Its waits are for older
-- transactions to finish, so the timeout bounds how long it waits for them, not a lock queue.
-- It must stay above deadlock_timeout (1 s): an autovacuum holding the table is cancelled only
-- for a lock request that has waited that long (harness/test/autovacuum.test.ts).
SET lock_timeout = '30s';
-- No statement timeout: a database default (managed providers set one) would cancel the build
-- halfway and leave an INVALID index, every run.
SET statement_timeout = 0;

-- The mapping rule's lookup: file_key exactly (the rule functions' WHERE s.file_key = $1), used
-- by the transition triggers on every write and by the backfill; without it each lookup scans
-- storage. A hash index, not a btree: a btree entry is limited to 2704 bytes, so one long
-- file_key would make the build fail (leaving an INVALID index) and, once built, make the
-- app's uploads of long keys fail. A hash index stores a 4-byte hash of any length of key, and
-- the functions still compare the key itself, byte for byte. The few rows sharing a key are
-- then sorted by (created_at, id); lookups measured as fast as with the btree (README).
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_hash_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS storage_file_key_hash_idx
  ON storage USING hash (file_key);

RESET statement_timeout;
RESET lock_timeout;
