-- Contract, user, part 4: every object key goes out of "user".image in committed batches
-- (image_ref_clear_user in sql/archive.sql under sql/batches.sql); unmapped keys are archived
-- as they go, mapped ones live in storage.file_key. Provider URLs stay. Then the index of
-- unmapped keys (03), which now indexes only URLs, goes. Run outside a transaction, one
-- statement at a time; killed halfway, a rerun resumes (the pass only clears keys).
SET lock_timeout = :lock_attempt_ms;
SET statement_timeout = 0;
SET client_connection_check_interval = '1s';
CALL image_ref_batches('user', 'clear', :batch_size, :pause_ms, :target_ms, :lock_wait_ms, :max_lag_ms);
DROP PROCEDURE image_ref_archive_posts(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_archive_user(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_clear_user(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_batches(text, text, integer, integer, integer, integer, integer);
DROP PROCEDURE image_ref_await_replicas(text, integer, integer, pg_lsn[], timestamptz[], boolean, numeric);
RESET client_connection_check_interval;
SET lock_timeout = '30s';
DROP INDEX CONCURRENTLY IF EXISTS user_image_unmapped_idx;
RESET statement_timeout;
RESET lock_timeout;
