-- Contract, user, part 2: the archive pass (sql/archive.sql under sql/batches.sql), which also
-- checks the contract's precondition row by row and refuses, dropping its archive, if it fails.
-- It archives the unmapped keys, not the provider URLs, which stay in "user".image. A rerun
-- after part 3 (the trigger detached) skips it: the clear pass archives as it goes.
-- Run outside a transaction, one statement at a time; each batch commits, locking its own rows
-- (FOR SHARE) for its few milliseconds, so no app write waits for a scan of the table.
\ir ../../sql/batches.sql
\ir ../../sql/archive.sql
SET lock_timeout = :lock_attempt_ms;
SET statement_timeout = 0;
SET client_connection_check_interval = '1s';
CALL image_ref_batches('user', 'archive', :batch_size, :pause_ms, :target_ms, :lock_wait_ms, :max_lag_ms);
RESET client_connection_check_interval;
RESET statement_timeout;
RESET lock_timeout;
