-- Validate: check the rows that existed before 04 added the keys NOT VALID. VALIDATE CONSTRAINT
-- takes only SHARE UPDATE EXCLUSIVE on the table (reads and writes go on) and ROW SHARE on
-- storage. It runs in its own transaction: the backfill (a no-transaction step) sits between
-- it and the one that added the keys, even under the CLI's default --single-transaction.
-- Verify: sql/verify/07_validate-foreign-keys.sql

-- Up Migration

SET LOCAL lock_timeout = '3s';

ALTER TABLE posts  VALIDATE CONSTRAINT posts_image_id_fkey;
ALTER TABLE "user" VALIDATE CONSTRAINT user_image_id_fkey;

-- Down Migration

-- Nothing to undo: a validated key is the same key; 04's down drops it.
SELECT 1;
