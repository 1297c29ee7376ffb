-- Preflight, posts: how the backfill will map posts.image_key, counted by reason.
--
-- The rule (image_ref_post_storage_id in sql/sync/posts.sql): image_key maps to the storage row
-- whose file_key equals it byte for byte AND whose organization_id is the post's; the oldest
-- (created_at, then id) wins. Everything else stays unmapped, for the first reason that fits:
--   blank                    '' or whitespace only
--   url                      http:// or https:// (an external image, not a storage key)
--   other_organization_only  a storage row has the key, but only in another organization
--   variant                  differs from a key of the post's organization only in case or in
--                            leading/trailing whitespace (exact bytes are required to map)
--   no_storage_row           no storage row has the key
--
-- Nothing indexes storage.file_key before the pack (02 adds the index), so there is no lookup
-- per post: posts are grouped once by (organization, key), storage is grouped into three small
-- sets, and the planner hash-joins them. One pass over posts, three over storage.
WITH used AS (
  -- every (organization, key) posts use, once, with how many posts use it
  SELECT organization_id, image_key, count(*) AS n, min(id) AS example
    FROM posts
   GROUP BY organization_id, image_key
), own AS (
  -- candidates per (organization, key): more than one is a duplicate the rule must choose from
  SELECT organization_id, file_key, count(*) AS candidates
    FROM storage
   WHERE organization_id IS NOT NULL
   GROUP BY organization_id, file_key
), anywhere AS (
  SELECT DISTINCT file_key FROM storage
), folded AS (
  SELECT DISTINCT organization_id, lower(btrim(file_key, E' \t\r\n')) AS folded_key
    FROM storage
   WHERE organization_id IS NOT NULL
), classified AS (
  SELECT u.n,
         u.example,
         octet_length(u.image_key) > 2704 AS long,
         o.candidates,
         CASE WHEN u.image_key IS NULL              THEN 'null'
              WHEN o.candidates IS NOT NULL         THEN 'mapped'
              WHEN u.image_key ~ '^\s*$'            THEN 'blank'
              WHEN u.image_key ~* '^https?://'      THEN 'url'
              WHEN a.file_key IS NOT NULL           THEN 'other_organization_only'
              WHEN f.folded_key IS NOT NULL         THEN 'variant'
              ELSE 'no_storage_row' END AS reason
    FROM used u
    LEFT JOIN own o
           ON o.organization_id = u.organization_id AND o.file_key = u.image_key
    LEFT JOIN anywhere a
           ON a.file_key = u.image_key
    LEFT JOIN folded f
           ON f.organization_id = u.organization_id
          AND f.folded_key = lower(btrim(u.image_key, E' \t\r\n'))
)
SELECT reason,
       sum(n)::bigint                                        AS rows,
       count(*)::bigint                                      AS keys,
       min(example)                                          AS example,
       coalesce(sum(n) FILTER (WHERE candidates > 1), 0)::bigint AS duplicate_rows,
       count(*) FILTER (WHERE candidates > 1)::bigint        AS duplicate_keys,
       -- longer than a btree entry may be (2704 bytes): no pack index is on this column
       coalesce(sum(n) FILTER (WHERE long), 0)::bigint       AS long_rows
  FROM classified
 GROUP BY reason
 ORDER BY reason;
