-- Harness only (make verify-online): every row no writer touched still has its original old
-- value, and image_id is what the mapping rule picks for it (verify.expected_*, computed by
-- sql/invariants/snapshot.sql before the traffic starts). The invariants mapping_follows_rule,
-- no_broken_links and unmapped_preserved compare every row with its value from before the pack,
-- so they cannot hold for rows the writers changed; this is them, less those rows.
-- $1: touched post ids, $2: touched user ids.
SELECT 'posts' AS tbl, e.id AS row_id,
       CASE WHEN p.id IS NULL THEN 'row is gone'
            ELSE format('had image_key %s (maps to %s); now image_key %s, image_id %s',
                        quote_nullable(e.image_key), coalesce(e.image_id, 'nothing'),
                        quote_nullable(p.image_key), coalesce(p.image_id, 'NULL')) END AS detail
  FROM verify.expected_posts e
  LEFT JOIN posts p USING (id)
 WHERE e.id <> ALL ($1::text[])
   AND (p.id IS NULL OR p.image_key IS DISTINCT FROM e.image_key OR p.image_id IS DISTINCT FROM e.image_id)
UNION ALL
SELECT 'user', e.id,
       CASE WHEN u.id IS NULL THEN 'row is gone'
            ELSE format('had image %s (maps to %s); now image %s, image_id %s',
                        quote_nullable(e.image), coalesce(e.image_id, 'nothing'),
                        quote_nullable(u.image), coalesce(u.image_id, 'NULL')) END
  FROM verify.expected_user e
  LEFT JOIN "user" u USING (id)
 WHERE e.id <> ALL ($2::text[])
   AND (u.id IS NULL OR u.image IS DISTINCT FROM e.image OR u.image_id IS DISTINCT FROM e.image_id)
