-- Harness only: the new app removes a user's avatar, one it shows (see new_clear_post.sql).
UPDATE "user" SET image_id = NULL, updated_at = now() WHERE id = $1 AND image_id IS NOT NULL
