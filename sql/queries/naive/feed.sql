-- NOT FOR USE. The feed written the obvious way, kept only so harness/test/plan.test.ts can show
-- that its plan guard fails on a bad plan. Same parameters and columns as ../feed.sql.
--
-- What goes wrong: has_liked is a correlated EXISTS in the select list of the un-limited join.
-- The planner costs it for every post of the organization, not for the page, and prefers to run
-- it once as a hashed subplan: a seq scan of post_likes for all the viewer's likes (nothing
-- indexes post_likes.user_id). The "$3 IS NULL OR ..." cursor is a filter, not an index condition.
SELECT p.id,
       p.organization_id,
       p.user_id,
       p.content,
       p.created_at,
       p.updated_at,
       u.name         AS author_name,
       avatar.file_key AS author_avatar_key,
       image.file_key  AS image_key,
       (SELECT count(*)::int FROM post_likes l WHERE l.post_id = p.id) AS like_count,
       EXISTS (SELECT 1 FROM post_likes l WHERE l.post_id = p.id AND l.user_id = $2) AS has_liked
  FROM posts p
  JOIN "user" u ON u.id = p.user_id
  LEFT JOIN storage avatar ON avatar.id = u.image_id
  LEFT JOIN storage image ON image.id = p.image_id
 WHERE p.organization_id = $1
   AND ($3::timestamptz IS NULL OR (p.created_at, p.id) < ($3, $4))
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT $5;
