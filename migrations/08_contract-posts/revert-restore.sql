-- Contract, posts, undone, part 2: write image_key back in batches (sql/restore.sql under
-- sql/batches.sql), then rebuild 03's index of unmapped keys (dropped with the column).
-- Run outside a transaction, one statement at a time. Killed halfway, a rerun of the down resumes.
\ir ../../sql/batches.sql
\ir ../../sql/restore.sql
SET lock_timeout = :lock_attempt_ms;
SET statement_timeout = 0;
SET client_connection_check_interval = '1s';
CALL image_ref_batches('posts', 'restore', :batch_size, :pause_ms, :target_ms, :lock_wait_ms, :max_lag_ms);
DROP PROCEDURE image_ref_restore_posts(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_restore_user(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_batches(text, text, integer, integer, integer, integer, integer);
DROP PROCEDURE image_ref_await_replicas(text, integer, integer, pg_lsn[], timestamptz[], boolean, numeric);
RESET client_connection_check_interval;
SET lock_timeout = '30s';
DROP INDEX CONCURRENTLY IF EXISTS posts_image_key_unmapped_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_image_key_unmapped_idx
  ON posts USING hash (image_key) WHERE image_id IS NULL AND image_key IS NOT NULL;
RESET statement_timeout;
RESET lock_timeout;
