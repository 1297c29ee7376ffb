-- Expand, part 4, down: drop the foreign keys. ACCESS EXCLUSIVE on posts and "user", and on
-- storage (its action triggers go too): every table at once, in short attempts, so an app
-- transaction that holds one of them and wants another never deadlocks with us.
SET LOCAL statement_timeout = 0;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE posts  DROP CONSTRAINT IF EXISTS posts_image_id_fkey;
ALTER TABLE "user" DROP CONSTRAINT IF EXISTS user_image_id_fkey;
