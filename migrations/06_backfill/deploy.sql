-- Run outside a transaction, one statement at a time: each CALL commits batch by batch.
-- :batch_size and :pause_ms come from BACKFILL_BATCH_SIZE and BACKFILL_PAUSE_MS; :lock_attempt_ms
-- from MIGRATE_LOCK_ATTEMPT_MS (lib/settings.ts). `make backfill` sends these same statements,
-- the included files each as one statement (lib/plan.ts).
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/batches.sql
\ir ../../sql/backfill.sql

-- A batch waits on a row lock an app transaction holds at most one lock attempt, then retries
-- (inside the procedure): meanwhile it holds its own batch's row locks, which app writes would
-- otherwise queue behind.
SET lock_timeout = :lock_attempt_ms;
-- The CALL runs as long as the table is big: no statement timeout (a database default would
-- cancel it every time); every batch commits on its own.
SET statement_timeout = 0;
-- If this client dies (a killed CLI), the server notices within a second and stops the CALL,
-- releasing the migration lock, instead of running on until it next sends a NOTICE.
SET client_connection_check_interval = '1s';
CALL image_ref_batches('posts', 'backfill', :batch_size, :pause_ms, :target_ms, :lock_wait_ms, :max_lag_ms);
CALL image_ref_batches('user', 'backfill', :batch_size, :pause_ms, :target_ms, :lock_wait_ms, :max_lag_ms);
DROP PROCEDURE image_ref_backfill_posts(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_backfill_user(tid, tid, bigint, bigint, bigint, text);
DROP PROCEDURE image_ref_batches(text, text, integer, integer, integer, integer, integer);
DROP PROCEDURE image_ref_await_replicas(text, integer, integer, pg_lsn[], timestamptz[], boolean, numeric);
RESET client_connection_check_interval;
RESET statement_timeout;
RESET lock_timeout;
