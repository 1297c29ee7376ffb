-- One storage row, if the viewer may see it. $1 storage id, $2 viewer user id.
-- An organization's upload is visible to the members of that organization; a personal upload
-- (organization_id IS NULL, e.g. an avatar) only to its owner, storage.user_id. Anyone else gets
-- no row, exactly as for an id that does not exist.
--
-- The pack does not change storage, so this query is the same before and after it (there is no
-- before/file_by_id.sql; harness/test/queries.test.ts runs this file on both schemas).
-- Note: nothing indexes member by user_id, so the membership check scans member (one scan per
-- call, not per row); see bench/README.md for what that costs.
SELECT s.id,
       s.file_key,
       s.file_name,
       s.content_type,
       s.size,
       s.user_id,
       s.organization_id,
       s.created_at
  FROM storage s
 WHERE s.id = $1
   AND CASE
         WHEN s.organization_id IS NULL THEN s.user_id = $2
         ELSE EXISTS (SELECT 1 FROM member m WHERE m.organization_id = s.organization_id AND m.user_id = $2)
       END;
