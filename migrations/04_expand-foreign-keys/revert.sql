-- Expand, part 4, down: drop the same-organization triggers and the foreign keys. ACCESS
-- EXCLUSIVE on posts and "user", and on storage (its action triggers and its same-organization
-- trigger go too): every table at once, in short attempts, so an app transaction that holds one
-- of them and wants another never deadlocks with us.
SET LOCAL statement_timeout = 0;
-- Its IF EXISTS drops name what an earlier step may never have made; their "does not exist,
-- skipping" NOTICEs are noise in the CLI's output, so only warnings and errors go to the client.
SET LOCAL client_min_messages = warning;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

DROP TRIGGER IF EXISTS image_ref_same_organization ON storage;
DROP TRIGGER IF EXISTS image_ref_same_organization_update ON posts;
DROP TRIGGER IF EXISTS image_ref_same_organization_insert ON posts;
DROP FUNCTION IF EXISTS image_ref_storage_organization();
DROP FUNCTION IF EXISTS image_ref_post_image_organization();

ALTER TABLE posts  DROP CONSTRAINT IF EXISTS posts_image_id_fkey;
ALTER TABLE "user" DROP CONSTRAINT IF EXISTS user_image_id_fkey;
