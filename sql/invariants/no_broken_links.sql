-- No broken image links: every mapped row's storage file_key is exactly the value it had
-- before the migration.
SELECT 'posts' AS tbl, p.id AS row_id,
       format('shows %s, had %s', quote_nullable(s.file_key), quote_nullable(o.image_key)) AS detail
  FROM posts p
  JOIN verify.original_posts o USING (id)
  LEFT JOIN storage s ON s.id = p.image_id
 WHERE p.image_id IS NOT NULL AND s.file_key IS DISTINCT FROM o.image_key
UNION ALL
SELECT 'user', u.id, format('shows %s, had %s', quote_nullable(s.file_key), quote_nullable(o.image))
  FROM "user" u
  JOIN verify.original_user o USING (id)
  LEFT JOIN storage s ON s.id = u.image_id
 WHERE u.image_id IS NOT NULL AND s.file_key IS DISTINCT FROM o.image;
