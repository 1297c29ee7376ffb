-- Feed: one organization's posts for a viewer, newest first, one page per round trip.
-- $1 organization id, $2 viewer user id, $3 cursor created_at (NULL = first page),
-- $4 cursor id (both from the last row of the previous page), $5 page size, 1 to 100.
--
-- Keyset pagination on (created_at, id): the row comparison is an index condition of
-- posts_organization_id_created_at_id_idx (organization_id, created_at DESC, id DESC), so a deep
-- page costs what the first costs. A NULL cursor becomes (infinity, ''), which every row sorts
-- before; one condition (no "$3 IS NULL OR ...") stays an index condition in a generic plan.
-- Send the cursor back exactly as the server gave it: created_at has microseconds, and a
-- cursor rounded to milliseconds (a JS Date) skips the rows between the two instants.
--
-- Shaped for a prepared statement's generic plan (the one it settles on after five runs, so
-- it is not planned again on every call):
-- * "page" cuts at most 100 rows, a constant the planner can cost; the page size $5 is applied
--   at the end. A LIMIT $5 inside would be costed as a guess of 10 % of the organization, the
--   generic plan would look dear, and PostgreSQL would re-plan the query on every execution.
--   Rows are fetched lazily, so a page of 20 still reads 20 index entries.
-- * Each row of the page is completed by LATERAL lookups: the author by primary key, and one
--   range scan of the post_likes primary key (post_id, user_id) that gives both the count and
--   whether the viewer is among the likers. LATERAL keeps them per row: the planner can neither
--   hash all of "user" for a join, nor plan has_liked as a hashed subplan (what a correlated
--   EXISTS in the select list becomes), which reads all the viewer's likes with a seq scan of
--   post_likes, as nothing indexes post_likes.user_id. The LIMIT 1 only stops the author's
--   lookup from being flattened into a join; it finds one row by primary key.
-- * The avatar's and the image's file_key are scalar subqueries: each a SubPlan run per row
--   returned (a scalar subquery on "=" is never hashed), with no join, Memoize or Limit node
--   around it. They find their storage row through storage_id_hash_idx (03), which reads a
--   bucket page where storage_pkey descends a btree: these two lookups are most of what the
--   pack adds to a page's reads (README, "The feed's two storage lookups").
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
