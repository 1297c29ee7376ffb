-- Preflight, storage: the rows no post and no user will reference once the backfill has run,
-- by the mapping rule (see posts.sql and user.sql). Needs both old columns (before the pack, or
-- in the transition); on the migrated schema use sql/reports/orphaned-storage.sql.
--
-- A row is referenced when the rule picks it for some value: it is the oldest (created_at, then
-- id) row of its (organization, file_key) and a post of that organization uses the key, or it is
-- the oldest row of its file_key and a user uses the key. Unreferenced rows split into those
-- whose key nothing names, and duplicates the rule does not pick (their key is named, but an
-- older row with the same key wins).
WITH ranked AS (
  SELECT s.id, s.file_key, s.organization_id, s.size,
         row_number() OVER (PARTITION BY s.organization_id, s.file_key ORDER BY s.created_at, s.id) AS org_rank,
         row_number() OVER (PARTITION BY s.file_key ORDER BY s.created_at, s.id)                    AS any_rank
    FROM storage s
), post_keys AS (
  SELECT DISTINCT organization_id, image_key FROM posts WHERE image_key IS NOT NULL
), user_keys AS (
  SELECT DISTINCT image FROM "user" WHERE image IS NOT NULL
), flagged AS (
  SELECT r.id, r.size,
         (r.org_rank = 1 AND pk.image_key IS NOT NULL) OR (r.any_rank = 1 AND uk.image IS NOT NULL) AS picked,
         pk.image_key IS NOT NULL OR uk.image IS NOT NULL                                          AS named
    FROM ranked r
    LEFT JOIN post_keys pk ON pk.organization_id = r.organization_id AND pk.image_key = r.file_key
    LEFT JOIN user_keys uk ON uk.image = r.file_key
)
SELECT count(*)::bigint                                          AS total,
       count(*) FILTER (WHERE NOT picked)::bigint                AS unreferenced,
       count(*) FILTER (WHERE NOT named)::bigint                 AS never_named,
       count(*) FILTER (WHERE named AND NOT picked)::bigint      AS duplicate_not_picked,
       coalesce(sum(size) FILTER (WHERE NOT picked), 0)::bigint  AS unreferenced_bytes,
       min(id) FILTER (WHERE NOT picked)                         AS example
  FROM flagged;
