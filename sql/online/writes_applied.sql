-- Harness only (make verify-online): every row a writer touched holds that writer's last write,
-- and the other column followed it (through the sync trigger, or the backfill for writes made
-- before the triggers existed). A key write must have image_id resolved by the mapping rule,
-- computed here independently of the pack; an image_id write must have that storage row's key.
-- $1: jsonb array of {tbl, id, col, value}, one per touched row (its last successful write).
-- Returns the violating rows (tbl, row_id, detail).
WITH w AS (
  SELECT x->>'tbl' AS tbl, x->>'id' AS id, x->>'col' AS col, x->>'value' AS value
    FROM jsonb_array_elements($1::jsonb) AS x
)
SELECT 'posts' AS tbl, w.id AS row_id,
       format('last write %s = %s; now image_key %s, image_id %s',
              w.col, quote_nullable(w.value), quote_nullable(p.image_key), coalesce(p.image_id, 'NULL')) AS detail
  FROM w
  LEFT JOIN posts p ON p.id = w.id
 WHERE w.tbl = 'posts'
   AND (p.id IS NULL
        OR CASE w.col
             WHEN 'image_key' THEN
               p.image_key IS DISTINCT FROM w.value
               OR p.image_id IS DISTINCT FROM (SELECT s.id FROM storage s
                                                WHERE s.file_key = w.value AND s.organization_id = p.organization_id
                                                ORDER BY s.created_at, s.id LIMIT 1)
             ELSE
               p.image_id IS DISTINCT FROM w.value
               OR p.image_key IS DISTINCT FROM (SELECT s.file_key FROM storage s WHERE s.id = w.value)
           END)
UNION ALL
SELECT 'user', w.id,
       format('last write %s = %s; now image %s, image_id %s',
              w.col, quote_nullable(w.value), quote_nullable(u.image), coalesce(u.image_id, 'NULL'))
  FROM w
  LEFT JOIN "user" u ON u.id = w.id
 WHERE w.tbl = 'user'
   AND (u.id IS NULL
        OR CASE w.col
             WHEN 'image' THEN
               u.image IS DISTINCT FROM w.value
               OR u.image_id IS DISTINCT FROM (SELECT s.id FROM storage s WHERE s.file_key = w.value
                                                ORDER BY s.created_at, s.id LIMIT 1)
             ELSE
               u.image_id IS DISTINCT FROM w.value
               OR u.image IS DISTINCT FROM (SELECT s.file_key FROM storage s WHERE s.id = w.value)
           END)
