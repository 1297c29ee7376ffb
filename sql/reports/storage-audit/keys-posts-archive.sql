-- Distinct values of posts_image_key_archive.image_key in byte order: keys only the archive of 08_contract-posts names: a rollback restores them.
-- $1: text[] of keys, or NULL for all.
SELECT DISTINCT image_key COLLATE "C" AS key
  FROM posts_image_key_archive
 WHERE image_key IS NOT NULL
   AND ($1::text[] IS NULL OR image_key = ANY ($1::text[]))
 ORDER BY 1;
