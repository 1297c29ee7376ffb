-- Transition, down: drop the sync triggers and the rule functions. DROP TRIGGER takes ACCESS
-- EXCLUSIVE on its table (posts, "user", and storage for the upload triggers): every table at
-- once, in short attempts, so an app transaction holding one and wanting another cannot
-- deadlock with us (it waits at most one attempt).
SET LOCAL statement_timeout = 0;
-- Its IF EXISTS drops name what an earlier step may never have made; their "does not exist,
-- skipping" NOTICEs are noise in the CLI's output, so only warnings and errors go to the client.
SET LOCAL client_min_messages = warning;
\ir ../../sql/guards/user_contract_halfway.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- Leftovers of a contract that refused or was stopped halfway (its archive, kept up by the
-- triggers dropped here, means nothing without them).
DROP TRIGGER IF EXISTS image_ref_key_written ON "user";
DROP TRIGGER IF EXISTS image_ref_key_written ON posts;
DROP TABLE IF EXISTS user_image_archive;
DROP TABLE IF EXISTS posts_image_key_archive;
DROP TRIGGER IF EXISTS image_ref_archive_user ON storage;
DROP TRIGGER IF EXISTS image_ref_archive_posts ON storage;
DROP FUNCTION IF EXISTS image_ref_archive_user_on_delete();
DROP FUNCTION IF EXISTS image_ref_archive_posts_on_delete();
DROP TRIGGER IF EXISTS image_ref_archive_settle ON "user";
DROP TRIGGER IF EXISTS image_ref_archive_settle_image ON "user";
DROP FUNCTION IF EXISTS image_ref_archive_user_settle();
DROP TRIGGER IF EXISTS image_ref_resolve_user ON storage;
DROP TRIGGER IF EXISTS image_ref_resolve_posts ON storage;
DROP TRIGGER IF EXISTS image_ref_sync ON "user";
DROP TRIGGER IF EXISTS image_ref_sync ON posts;
DROP FUNCTION IF EXISTS image_ref_resolve_user();
DROP FUNCTION IF EXISTS image_ref_resolve_posts();
DROP FUNCTION IF EXISTS image_ref_user_key_written();
DROP FUNCTION IF EXISTS image_ref_posts_key_written();
DROP FUNCTION IF EXISTS image_ref_sync_user();
DROP FUNCTION IF EXISTS image_ref_sync_posts();
DROP FUNCTION IF EXISTS image_ref_user_storage_id(text);
DROP FUNCTION IF EXISTS image_ref_user_is_url(text);
DROP FUNCTION IF EXISTS image_ref_post_storage_id(text, text);
