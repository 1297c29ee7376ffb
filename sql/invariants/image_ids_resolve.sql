-- No image_id points at a missing storage row, and every post image belongs to the post's
-- organization.
SELECT 'posts' AS tbl, p.id AS row_id,
       CASE WHEN s.id IS NULL THEN format('image_id %s has no storage row', p.image_id)
            ELSE format('image_id %s belongs to organization %s, the post to %s',
                        p.image_id, coalesce(s.organization_id, 'none'), p.organization_id) END AS detail
  FROM posts p
  LEFT JOIN storage s ON s.id = p.image_id
 WHERE p.image_id IS NOT NULL
   AND (s.id IS NULL OR s.organization_id IS DISTINCT FROM p.organization_id)
UNION ALL
SELECT 'user', u.id, format('image_id %s has no storage row', u.image_id)
  FROM "user" u
 WHERE u.image_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = u.image_id);
