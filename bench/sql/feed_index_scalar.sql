-- A candidate shape for sql/queries/feed.sql (issue 13 item 6), measured by bench/feed-index.ts:
-- the two storage lookups as scalar subqueries in the select list instead of LEFT JOIN LATERALs.
-- Each is a SubPlan run per output row by primary key (a scalar subquery on "=" is never hashed),
-- with no join, Memoize or Limit node around it. Same parameters and answers as feed.sql.
-- $1 organization id, $2 viewer user id, $3 cursor created_at (NULL = first page), $4 cursor id,
-- $5 page size, 1 to 100.
WITH page AS (
  SELECT p.id, p.organization_id, p.user_id, p.content, p.image_id, p.created_at, p.updated_at
    FROM posts p
   WHERE p.organization_id = $1
     AND (p.created_at, p.id) < (coalesce($3::timestamptz, 'infinity'), coalesce($4::text, ''))
   ORDER BY p.created_at DESC, p.id DESC
   LIMIT 100
)
SELECT p.id,
       p.organization_id,
       p.user_id,
       p.content,
       p.created_at,
       p.updated_at,
       author.name       AS author_name,
       (SELECT s.file_key FROM storage s WHERE s.id = author.image_id) AS author_avatar_key,
       (SELECT s.file_key FROM storage s WHERE s.id = p.image_id)      AS image_key,
       likes.like_count,
       likes.has_liked
  FROM page p
 CROSS JOIN LATERAL (
        SELECT u.name, u.image_id FROM "user" u WHERE u.id = p.user_id LIMIT 1
       ) author
 CROSS JOIN LATERAL (
        SELECT count(*)::int AS like_count, coalesce(bool_or(l.user_id = $2), false) AS has_liked
          FROM post_likes l
         WHERE l.post_id = p.id
       ) likes
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT $5;
