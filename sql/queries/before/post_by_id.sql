-- One post with its image, before the pack: the image is the raw key in posts.image_key.
-- Same parameters and columns as ../post_by_id.sql. $1 post id.
SELECT p.id,
       p.organization_id,
       p.user_id,
       p.content,
       p.created_at,
       p.updated_at,
       p.image_key
  FROM posts p
 WHERE p.id = $1;
