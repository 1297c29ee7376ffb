-- After a full down, the old columns are identical to the originals on every row.
SELECT 'posts' AS tbl, coalesce(o.id, p.id) AS row_id,
       format('was %s, now %s', quote_nullable(o.image_key), quote_nullable(p.image_key)) AS detail
  FROM verify.original_posts o
  FULL JOIN posts p USING (id)
 WHERE o.id IS NULL OR p.id IS NULL OR o.image_key IS DISTINCT FROM p.image_key
UNION ALL
SELECT 'user', coalesce(o.id, u.id), format('was %s, now %s', quote_nullable(o.image), quote_nullable(u.image))
  FROM verify.original_user o
  FULL JOIN "user" u USING (id)
 WHERE o.id IS NULL OR u.id IS NULL OR o.image IS DISTINCT FROM u.image;
