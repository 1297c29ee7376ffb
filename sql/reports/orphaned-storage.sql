-- Orphaned storage: the storage rows nothing references on the migrated schema (no
-- posts.image_id and no "user".image_id points at them) and that are older than a grace period,
-- so an upload still on its way into a post or a profile is never listed. Read-only.
--
--   $1  grace period, an interval: rows created less than $1 ago are left out, e.g. '7 days'
--
-- From code: client.query(sql, ['7 days']). In psql 16+: end the query with \bind '7 days' \g
-- instead of its ';'.
--
-- Works after 03_expand-image-id-indexes (and after the contracts): the NOT EXISTS lookups use
-- posts_image_id_idx and user_image_id_idx, so this is an anti-join, not a scan per row.
--
-- Cleaning the object store from it: delete the listed storage rows; delete the object at
-- file_key only when object_in_use is false. Duplicate rows share one object: a listed
-- duplicate whose file_key another (kept) storage row still has, or that an organization's logo
-- names, must keep its object.
WITH orphaned AS (
  SELECT s.id, s.file_key, s.organization_id, s.user_id, s.size, s.created_at
    FROM storage s
   WHERE s.created_at < now() - $1::interval
     AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.image_id = s.id)
     AND NOT EXISTS (SELECT 1 FROM "user" u WHERE u.image_id = s.id)
)
SELECT o.id,
       o.file_key,
       o.organization_id,
       o.user_id,
       o.size,
       o.created_at,
       EXISTS (SELECT 1 FROM storage k
                WHERE k.file_key = o.file_key
                  AND k.id NOT IN (SELECT id FROM orphaned))
       OR o.file_key IN (SELECT g.logo FROM organization g WHERE g.logo IS NOT NULL) AS object_in_use
  FROM orphaned o
 ORDER BY o.created_at, o.id;
