-- Run outside a transaction, one statement at a time.
SET lock_timeout = '30s';
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_hash_idx;
-- The btree lookup index earlier versions of 02 built in its place.
DROP INDEX CONCURRENTLY IF EXISTS storage_file_key_created_at_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS storage_organization_id_id_key;
RESET lock_timeout;
