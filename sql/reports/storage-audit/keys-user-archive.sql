-- Distinct values of user_image_archive.image in byte order: keys only the archive of 09_contract-user names: a rollback restores them.
-- $1: text[] of keys, or NULL for all.
SELECT DISTINCT image COLLATE "C" AS key
  FROM user_image_archive
 WHERE image IS NOT NULL
   AND ($1::text[] IS NULL OR image = ANY ($1::text[]))
 ORDER BY 1;
