-- Harness only: the new app changes a post's image by storage id, one of its own organization's.
UPDATE posts SET image_id = $2, updated_at = now() WHERE id = $1
