-- Dropping a trigger takes SHARE ROW EXCLUSIVE on its table: fail fast rather than queue.
SET LOCAL lock_timeout = '3s';

DROP TRIGGER IF EXISTS image_ref_sync ON "user";
DROP TRIGGER IF EXISTS image_ref_sync ON posts;
DROP FUNCTION IF EXISTS image_ref_sync_user();
DROP FUNCTION IF EXISTS image_ref_sync_posts();
DROP FUNCTION IF EXISTS image_ref_user_storage_id(text);
DROP FUNCTION IF EXISTS image_ref_post_storage_id(text, text);
