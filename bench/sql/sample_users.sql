-- Users to read with their avatar: a fixed pseudo-random sample of users that have an image
-- (storage keys and OAuth URLs alike), the same before and after the pack. $1 how many.
SELECT u.id
  FROM "user" u
 WHERE u.image IS NOT NULL
 ORDER BY md5(u.id)
 LIMIT $1;
