-- Run outside a transaction, one statement at a time.
SET lock_timeout = '30s';
-- No statement timeout: a database default (managed providers set one) would cancel the build
-- halfway and leave an INVALID index, every run.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_hash_idx;
-- The btree lookup index earlier versions of 02 built in its place.
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_created_at_id_idx;
-- The unique (organization_id, id) index earlier versions of 02 built for posts' composite key.
DROP INDEX CONCURRENTLY IF EXISTS storage_organization_id_id_key;
RESET statement_timeout;
RESET lock_timeout;
