-- Organization uploads to read by id, each with a viewer allowed to see it (the organization's
-- first member): a fixed pseudo-random sample. $1 how many.
WITH picked AS MATERIALIZED (
  SELECT s.id, s.organization_id
    FROM storage s
   WHERE s.organization_id IS NOT NULL
   ORDER BY md5(s.id)
   LIMIT $1
), first_member AS (
  SELECT DISTINCT ON (m.organization_id) m.organization_id, m.user_id
    FROM member m
   ORDER BY m.organization_id, m.created_at, m.id
)
SELECT picked.id, first_member.user_id AS viewer_id
  FROM picked
  JOIN first_member USING (organization_id)
 ORDER BY md5(picked.id);
