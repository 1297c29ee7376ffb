-- During the transition the old and new columns agree: a NULL image_id goes with an unmapped
-- (or NULL) key, and a set image_id goes with its storage row's exact file_key.
SELECT 'posts' AS tbl, p.id AS row_id,
       format('image_key %s, image_id %s (file_key %s)',
              quote_nullable(p.image_key), coalesce(p.image_id, 'NULL'), quote_nullable(s.file_key)) AS detail
  FROM posts p
  LEFT JOIN storage s ON s.id = p.image_id
 WHERE (p.image_id IS NOT NULL AND p.image_key IS DISTINCT FROM s.file_key)
    OR (p.image_id IS NULL AND p.image_key IS NOT NULL
        AND EXISTS (SELECT 1 FROM storage m WHERE m.file_key = p.image_key AND m.organization_id = p.organization_id))
UNION ALL
SELECT 'user', u.id,
       format('image %s, image_id %s (file_key %s)',
              quote_nullable(u.image), coalesce(u.image_id, 'NULL'), quote_nullable(s.file_key))
  FROM "user" u
  LEFT JOIN storage s ON s.id = u.image_id
 WHERE (u.image_id IS NOT NULL AND u.image IS DISTINCT FROM s.file_key)
    OR (u.image_id IS NULL AND u.image IS NOT NULL
        AND EXISTS (SELECT 1 FROM storage m WHERE m.file_key = u.image));
