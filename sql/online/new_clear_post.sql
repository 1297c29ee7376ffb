-- Harness only: the new app removes a post's image. It can only remove an image it shows, one
-- with an image_id: on a row the backfill has not reached yet (image_id still NULL), SET
-- image_id = NULL changes nothing, so the sync trigger sees no write and the key stays (and is
-- mapped by the backfill later). The affected row count tells the harness which case it was.
UPDATE posts SET image_id = NULL, updated_at = now() WHERE id = $1 AND image_id IS NOT NULL
