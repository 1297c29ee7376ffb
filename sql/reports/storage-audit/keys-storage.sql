-- One row per distinct storage key, in byte order (S3's listing order). Duplicate rows of a key
-- share its object: their ids, sizes and content types come together. $1: text[] of keys, or NULL.
SELECT file_key COLLATE "C" AS key,
       array_agg(id ORDER BY created_at, id) AS ids,
       array_agg(size ORDER BY created_at, id) AS sizes,
       array_agg(content_type ORDER BY created_at, id) AS content_types,
       array_agg(created_at ORDER BY created_at, id) AS created
  FROM storage
 WHERE $1::text[] IS NULL OR file_key = ANY ($1::text[])
 GROUP BY 1
 ORDER BY 1;
