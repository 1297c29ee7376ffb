-- Posts to read by id: a fixed pseudo-random sample (md5 order), the same before and after the
-- pack. $1 how many.
SELECT p.id
  FROM posts p
 ORDER BY md5(p.id)
 LIMIT $1;
