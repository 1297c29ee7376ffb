-- The app deleting an upload: the foreign keys null posts.image_id and "user".image_id of the
-- rows that point at it (ON DELETE SET NULL). The benchmark runs it inside a transaction that
-- it rolls back, so the data stays the same. $1 storage id.
DELETE FROM storage WHERE id = $1;
