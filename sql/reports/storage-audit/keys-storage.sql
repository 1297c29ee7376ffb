-- One row per distinct storage key, in byte order (S3's listing order). Duplicate rows of a key
-- share its object: their sizes and content types come as ranges (min = max when they agree).
-- Scalars only, so a million keys parse fast; rows-by-key.sql fetches the rows of a missing object.
-- $1: text[] of keys, or NULL for all.
SELECT file_key COLLATE "C" AS key,
       count(*)::int AS rows,
       min(size) AS min_size,
       max(size) AS max_size,
       min(content_type) AS min_type,
       max(content_type) AS max_type
  FROM storage
 WHERE $1::text[] IS NULL OR file_key = ANY ($1::text[])
 GROUP BY 1
 ORDER BY 1;
