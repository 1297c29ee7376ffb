-- Parameters for measuring the feed: the organization with the most posts, and as viewer the
-- user who liked the most of its newest 20 posts (then the most of all its posts), so has_liked
-- is true on some rows of the first page. Deterministic on seeded data. Runs once, before the
-- pack, on the benchmark's (or the test's) scratch database.
WITH org AS (
  SELECT p.organization_id AS id
    FROM posts p
   GROUP BY p.organization_id
   ORDER BY count(*) DESC, p.organization_id
   LIMIT 1
), newest AS (
  SELECT p.id
    FROM posts p, org
   WHERE p.organization_id = org.id
   ORDER BY p.created_at DESC, p.id DESC
   LIMIT 20
)
SELECT org.id AS organization_id,
       (SELECT l.user_id
          FROM post_likes l
          JOIN posts p ON p.id = l.post_id
         WHERE p.organization_id = org.id
         GROUP BY l.user_id
         ORDER BY count(*) FILTER (WHERE p.id IN (SELECT id FROM newest)) DESC, count(*) DESC, l.user_id
         LIMIT 1) AS viewer_id,
       (SELECT count(*)::int FROM posts p WHERE p.organization_id = org.id) AS org_posts
  FROM org;
