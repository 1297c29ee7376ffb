-- Expand, part 1, down: drop the image_id columns (ACCESS EXCLUSIVE for an instant each).
-- Every table at once, in short attempts: an app INSERT INTO posts holds posts and then locks
-- "user" for its foreign key check; we never hold one of them while waiting for another.
SET LOCAL statement_timeout = 0;
-- Its IF EXISTS drops name what an earlier step may never have made; their "does not exist,
-- skipping" NOTICEs are noise in the CLI's output, so only warnings and errors go to the client.
SET LOCAL client_min_messages = warning;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- Leftovers of an index build of 02 or 03 that was killed before its migration was recorded
-- (so its down never ran): INVALID indexes. Under the lock above, dropping them is instant.
-- storage_organization_id_id_key: built by earlier versions of 02.
DROP INDEX IF EXISTS storage_organization_id_id_key;
DROP INDEX IF EXISTS storage_file_key_hash_idx;
DROP INDEX IF EXISTS storage_file_key_created_at_id_idx;
DROP INDEX IF EXISTS posts_image_id_idx;
DROP INDEX IF EXISTS user_image_id_idx;
DROP INDEX IF EXISTS posts_image_key_unmapped_idx;
DROP INDEX IF EXISTS user_image_unmapped_idx;
DROP INDEX IF EXISTS storage_id_hash_idx;

ALTER TABLE posts  DROP COLUMN IF EXISTS image_id;
ALTER TABLE "user" DROP COLUMN IF EXISTS image_id;

-- The last step down: the pack's lock helper goes too.
DROP FUNCTION IF EXISTS image_ref_lock(text, text, integer, integer);
