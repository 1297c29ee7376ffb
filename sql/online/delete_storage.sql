-- Harness only: the app deletes an upload that posts or users still reference. From 04 on,
-- ON DELETE SET NULL nulls image_id on every referencing row (an UPDATE of posts or "user").
DELETE FROM storage WHERE id = $1
