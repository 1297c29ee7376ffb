-- Validate: check the rows that existed before 04 added the keys NOT VALID. VALIDATE CONSTRAINT
-- takes only SHARE UPDATE EXCLUSIVE on the table (reads and writes go on) and ROW SHARE on
-- storage. It runs in its own transaction: the backfill (a no-transaction step) sits between
-- it and the one that added the keys, even under the CLI's default --single-transaction.

-- The scan takes as long as the table is big: no statement timeout (a database default of a
-- few seconds would cancel it every time). Its lock blocks no app statement.
SET LOCAL statement_timeout = 0;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user"', 'SHARE UPDATE EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE posts  VALIDATE CONSTRAINT posts_image_id_fkey;
ALTER TABLE "user" VALIDATE CONSTRAINT user_image_id_fkey;
