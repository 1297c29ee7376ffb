-- Harness only: the new app sets a user's avatar by storage id.
UPDATE "user" SET image_id = $2, updated_at = now() WHERE id = $1
