-- Preflight, "user": how the backfill will map "user".image, counted by reason.
--
-- The rule (image_ref_user_storage_id in sql/sync/user.sql): image maps to the storage row whose
-- file_key equals it byte for byte, in any organization or none; the oldest (created_at, then
-- id) wins. Everything else stays unmapped, for the first reason that fits:
--   blank           '' or whitespace only
--   url             http://, https:// or data: (better-auth stores OAuth avatar URLs here); the
--                   user contract keeps these in "user".image and archives every other value
--                   (image_ref_user_is_url in sql/sync/user.sql: the same test)
--   variant         differs from a storage key only in case or leading/trailing whitespace
--   no_storage_row  no storage row has the value
-- (No "other organization" reason: a user may show any organization's file.)
--
-- As for posts (sql/preflight/posts.sql): grouped sets and hash joins, no per-row lookup on the
-- unindexed storage.file_key.
WITH used AS (
  SELECT image, count(*) AS n, min(id) AS example
    FROM "user"
   GROUP BY image
), anywhere AS (
  SELECT file_key, count(*) AS candidates
    FROM storage
   GROUP BY file_key
), folded AS (
  SELECT DISTINCT lower(btrim(file_key, E' \t\r\n')) AS folded_key
    FROM storage
), classified AS (
  SELECT u.n,
         u.example,
         octet_length(u.image) > 2704 AS long,
         a.candidates,
         CASE WHEN u.image IS NULL           THEN 'null'
              WHEN a.candidates IS NOT NULL  THEN 'mapped'
              WHEN u.image ~ '^\s*$'         THEN 'blank'
              WHEN u.image ~* '^(https?://|data:)' THEN 'url'
              WHEN f.folded_key IS NOT NULL  THEN 'variant'
              ELSE 'no_storage_row' END AS reason
    FROM used u
    LEFT JOIN anywhere a
           ON a.file_key = u.image
    LEFT JOIN folded f
           ON f.folded_key = lower(btrim(u.image, E' \t\r\n'))
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
