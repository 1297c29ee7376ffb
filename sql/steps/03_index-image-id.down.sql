-- Run outside a transaction, one statement at a time.
SET lock_timeout = '30s';
DROP INDEX CONCURRENTLY IF EXISTS user_image_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS posts_image_id_idx;
RESET lock_timeout;
