-- Contract, posts, undone: image_key comes back with exactly the values it had. Runs before
-- sql/sync/posts.sql re-attaches the trigger, so the restore does not re-resolve image_id.

SET LOCAL lock_timeout = '3s';

ALTER TABLE posts ADD COLUMN image_key text;

UPDATE posts p
   SET image_key = s.file_key
  FROM storage s
 WHERE s.id = p.image_id;

UPDATE posts p
   SET image_key = a.image_key
  FROM posts_image_key_archive a
 WHERE a.post_id = p.id
   AND p.image_id IS NULL;

DROP TABLE posts_image_key_archive;
