-- Storage rows that posts point at (after the backfill): the rows whose delete takes the
-- ON DELETE SET NULL path. A fixed pseudo-random sample. $1 how many.
SELECT p.image_id AS id
  FROM posts p
 WHERE p.image_id IS NOT NULL
 GROUP BY p.image_id
 ORDER BY md5(p.image_id)
 LIMIT $1;
