-- Distinct values of "user".image in byte order: keys the live users name (before 09_contract-user).
-- $1: text[] of keys, or NULL for all.
SELECT DISTINCT image COLLATE "C" AS key
  FROM "user"
 WHERE image IS NOT NULL
   AND ($1::text[] IS NULL OR image = ANY ($1::text[]))
 ORDER BY 1;
