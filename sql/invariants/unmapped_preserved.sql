-- Every unmapped non-null original value is still there, byte for byte: in the old column
-- before the contract, in the archive table after it.
SELECT 'posts' AS tbl, e.id AS row_id,
       format('unmapped image_key %s is now %s', quote_literal(e.image_key), quote_nullable(o.value)) AS detail
  FROM verify.expected_posts e
  JOIN posts p USING (id)
  LEFT JOIN verify.old_values o ON o.tbl = 'posts' AND o.id = e.id
 WHERE e.image_key IS NOT NULL AND e.image_id IS NULL
   AND o.value IS DISTINCT FROM e.image_key
UNION ALL
SELECT 'user', e.id,
       format('unmapped image %s is now %s', quote_literal(e.image), quote_nullable(o.value))
  FROM verify.expected_user e
  JOIN "user" u USING (id)
  LEFT JOIN verify.old_values o ON o.tbl = 'user' AND o.id = e.id
 WHERE e.image IS NOT NULL AND e.image_id IS NULL
   AND o.value IS DISTINCT FROM e.image;
