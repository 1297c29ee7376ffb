-- Harness only (make verify-online): every row no writer touched still has its original old
-- value, and image_id is what the mapping rule picks for it (verify.expected_*, computed by
-- sql/invariants/snapshot.sql before the traffic starts). The invariants mapping_follows_rule,
-- no_broken_links and unmapped_preserved compare every row with its value from before the pack,
-- so they cannot hold for rows the writers changed; this is them, less those rows.
-- A row whose storage row the deleters removed (sql/online/deletable_storage.sql: its key then
-- maps to nothing) must have image_id NULL; its old column may hold the original key or NULL,
-- depending on whether the delete reached it through ON DELETE SET NULL and the sync trigger
-- (what the old column should then hold is the transition's rule, tested on its own).
-- $1: touched post ids, $2: touched user ids, $3: deleted storage ids.
WITH deleted AS (SELECT unnest($3::text[]) AS id),
     touched_posts AS (SELECT unnest($1::text[]) AS id),
     touched_users AS (SELECT unnest($2::text[]) AS id)
SELECT 'posts' AS tbl, e.id AS row_id,
       CASE WHEN p.id IS NULL THEN 'row is gone'
            ELSE format('had image_key %s (maps to %s%s); now image_key %s, image_id %s',
                        quote_nullable(e.image_key), coalesce(e.image_id, 'nothing'),
                        CASE WHEN d.id IS NOT NULL THEN ', deleted' ELSE '' END,
                        quote_nullable(p.image_key), coalesce(p.image_id, 'NULL')) END AS detail
  FROM verify.expected_posts e
  LEFT JOIN posts p USING (id)
  LEFT JOIN deleted d ON d.id = e.image_id
  LEFT JOIN touched_posts tp ON tp.id = e.id
 WHERE tp.id IS NULL
   AND (p.id IS NULL
        OR CASE WHEN d.id IS NULL
                THEN p.image_key IS DISTINCT FROM e.image_key OR p.image_id IS DISTINCT FROM e.image_id
                ELSE p.image_id IS NOT NULL OR p.image_key IS DISTINCT FROM e.image_key AND p.image_key IS NOT NULL END)
UNION ALL
SELECT 'user', e.id,
       CASE WHEN u.id IS NULL THEN 'row is gone'
            ELSE format('had image %s (maps to %s%s); now image %s, image_id %s',
                        quote_nullable(e.image), coalesce(e.image_id, 'nothing'),
                        CASE WHEN d.id IS NOT NULL THEN ', deleted' ELSE '' END,
                        quote_nullable(u.image), coalesce(u.image_id, 'NULL')) END
  FROM verify.expected_user e
  LEFT JOIN "user" u USING (id)
  LEFT JOIN deleted d ON d.id = e.image_id
  LEFT JOIN touched_users tu ON tu.id = e.id
 WHERE tu.id IS NULL
   AND (u.id IS NULL
        OR CASE WHEN d.id IS NULL
                THEN u.image IS DISTINCT FROM e.image OR u.image_id IS DISTINCT FROM e.image_id
                ELSE u.image_id IS NOT NULL OR u.image IS DISTINCT FROM e.image AND u.image IS NOT NULL END)
