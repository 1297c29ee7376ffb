-- Harness only: the old app changes a post's image by its key (it knows nothing of image_id).
UPDATE posts SET image_key = $2, updated_at = now() WHERE id = $1
