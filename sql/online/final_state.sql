-- Harness only (make verify-online): after the full down, only the old columns are left, and each
-- holds what the old app would hold given every write made during the run:
-- - a row a writer touched: its last write (a key written by the old app as is; an image_id
--   written by the new app as that storage row's file_key, NULL for a clear);
-- - any other row: its original value, or NULL where the deleters removed the storage row it
--   mapped to (see untouched_rows_intact.sql).
-- $1: jsonb array of {tbl, id, col, value}, one per touched row (its last successful write);
-- $2: touched post ids, $3: touched user ids, $4: deleted storage ids.
WITH w AS (
  SELECT x->>'tbl' AS tbl, x->>'id' AS id, x->>'col' AS col, x->>'value' AS value
    FROM jsonb_array_elements($1::jsonb) AS x
), want AS (
  SELECT w.tbl, w.id, w.col, w.value,
         CASE WHEN w.col IN ('image_key', 'image') THEN w.value
              ELSE (SELECT s.file_key FROM storage s WHERE s.id = w.value) END AS old_value
    FROM w
), deleted AS (SELECT unnest($4::text[]) AS id),
     touched_posts AS (SELECT unnest($2::text[]) AS id),
     touched_users AS (SELECT unnest($3::text[]) AS id)
SELECT 'posts' AS tbl, want.id AS row_id,
       format('last write %s = %s; now image_key %s', want.col, quote_nullable(want.value), quote_nullable(p.image_key)) AS detail
  FROM want
  LEFT JOIN posts p ON p.id = want.id
 WHERE want.tbl = 'posts' AND (p.id IS NULL OR p.image_key IS DISTINCT FROM want.old_value)
UNION ALL
SELECT 'user', want.id,
       format('last write %s = %s; now image %s', want.col, quote_nullable(want.value), quote_nullable(u.image))
  FROM want
  LEFT JOIN "user" u ON u.id = want.id
 WHERE want.tbl = 'user' AND (u.id IS NULL OR u.image IS DISTINCT FROM want.old_value)
UNION ALL
SELECT 'posts', e.id,
       CASE WHEN p.id IS NULL THEN 'row is gone'
            ELSE format('had image_key %s%s; now %s', quote_nullable(e.image_key),
                        CASE WHEN d.id IS NOT NULL THEN ' (its storage row deleted)' ELSE '' END,
                        quote_nullable(p.image_key)) END
  FROM verify.expected_posts e
  LEFT JOIN posts p USING (id)
  LEFT JOIN deleted d ON d.id = e.image_id
  LEFT JOIN touched_posts tp ON tp.id = e.id
 WHERE tp.id IS NULL
   AND (p.id IS NULL OR (p.image_key IS DISTINCT FROM e.image_key AND (d.id IS NULL OR p.image_key IS NOT NULL)))
UNION ALL
SELECT 'user', e.id,
       CASE WHEN u.id IS NULL THEN 'row is gone'
            ELSE format('had image %s%s; now %s', quote_nullable(e.image),
                        CASE WHEN d.id IS NOT NULL THEN ' (its storage row deleted)' ELSE '' END,
                        quote_nullable(u.image)) END
  FROM verify.expected_user e
  LEFT JOIN "user" u USING (id)
  LEFT JOIN deleted d ON d.id = e.image_id
  LEFT JOIN touched_users tu ON tu.id = e.id
 WHERE tu.id IS NULL
   AND (u.id IS NULL OR (u.image IS DISTINCT FROM e.image AND (d.id IS NULL OR u.image IS NOT NULL)))
