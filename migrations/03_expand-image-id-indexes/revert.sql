-- Run outside a transaction, one statement at a time.
SET lock_timeout = '30s';
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS storage_id_hash_idx;
DROP INDEX CONCURRENTLY IF EXISTS user_image_unmapped_idx;
DROP INDEX CONCURRENTLY IF EXISTS posts_image_key_unmapped_idx;
DROP INDEX CONCURRENTLY IF EXISTS user_image_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS posts_image_id_idx;
RESET statement_timeout;
RESET lock_timeout;
