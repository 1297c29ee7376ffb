-- Every original value maps to the row the rule picks (oldest created_at, then smallest id;
-- byte-exact key; own organization for posts), and nothing else is mapped.
SELECT 'posts' AS tbl, e.id AS row_id,
       format('image_key %s should map to %s but image_id is %s',
              quote_nullable(e.image_key), coalesce(e.image_id, 'nothing'), coalesce(p.image_id, 'NULL')) AS detail
  FROM verify.expected_posts e
  JOIN posts p USING (id)
 WHERE p.image_id IS DISTINCT FROM e.image_id
UNION ALL
SELECT 'user', e.id,
       format('image %s should map to %s but image_id is %s',
              quote_nullable(e.image), coalesce(e.image_id, 'nothing'), coalesce(u.image_id, 'NULL'))
  FROM verify.expected_user e
  JOIN "user" u USING (id)
 WHERE u.image_id IS DISTINCT FROM e.image_id;
