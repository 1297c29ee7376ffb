-- Run outside a transaction, one statement at a time: each CALL commits batch by batch.
-- :batch_size and :pause_ms come from BACKFILL_BATCH_SIZE (default 2500) and
-- BACKFILL_PAUSE_MS (default 0).

-- Batches wait on row locks held by app transactions: give up rather than wait long.
-- A rerun resumes (it skips rows already filled).
SET lock_timeout = '5s';
-- If this client dies (a killed CLI), the server notices within a second and stops the CALL,
-- releasing the migration lock, instead of running on until it next sends a NOTICE.
SET client_connection_check_interval = '1s';
CALL image_ref_backfill('posts', :batch_size, :pause_ms);
CALL image_ref_backfill('user', :batch_size, :pause_ms);
DROP PROCEDURE image_ref_backfill(text, integer, integer);
RESET lock_timeout;
RESET client_connection_check_interval;
