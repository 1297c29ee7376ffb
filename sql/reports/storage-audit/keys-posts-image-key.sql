-- Distinct values of posts.image_key in byte order: keys the live posts name (before 08_contract-posts).
-- $1: text[] of keys, or NULL for all.
SELECT DISTINCT image_key COLLATE "C" AS key
  FROM posts
 WHERE image_key IS NOT NULL
   AND ($1::text[] IS NULL OR image_key = ANY ($1::text[]))
 ORDER BY 1;
