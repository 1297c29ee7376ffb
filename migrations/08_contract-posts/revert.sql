-- Contract, posts, undone, part 1 (one transaction, sql/sync/posts.sql included at the end): the old
-- column comes back, empty, in an instant (catalog only), and the sync trigger is attached
-- again, with image_ref_key_written (the archive exists). From then on every app write settles
-- its row as if its value had been restored first. ACCESS EXCLUSIVE on posts alone, in short
-- attempts (the upload trigger on storage is still there, idle until the restore rebuilds its index).
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/guards/user_contract_halfway.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE posts ADD COLUMN IF NOT EXISTS image_key text;
-- The sync trigger maintains the archive now; the storage delete trigger stays until the
-- restore is done (revert-finish.sql): a pending row's key is only there.
DROP TRIGGER IF EXISTS image_ref_archive_settle ON posts;
DROP FUNCTION IF EXISTS image_ref_archive_posts_settle();
\ir ../../sql/sync/posts.sql
\ir ../../sql/lib/pin_functions.sql
