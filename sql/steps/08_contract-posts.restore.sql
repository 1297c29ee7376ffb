-- Contract, posts, undone, part 2: fill image_key back in, in batches (sql/restore.sql), then drop
-- the archive. Run outside a transaction, one statement at a time. :batch_size comes from
-- BACKFILL_BATCH_SIZE (default 2500). Killed halfway, a rerun of the down resumes.

SET lock_timeout = '5s';
SET client_connection_check_interval = '1s';
SET image_ref.restoring = on;
CALL image_ref_restore('posts', :batch_size);
RESET image_ref.restoring;
DROP TABLE IF EXISTS posts_image_key_archive;
DROP PROCEDURE IF EXISTS image_ref_restore(text, integer);
RESET client_connection_check_interval;
RESET lock_timeout;
