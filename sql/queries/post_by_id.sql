-- One post with its image. $1 post id.
-- The image is the storage row posts.image_id points at (by primary key); NULL when the post
-- has no image or its storage row was deleted (ON DELETE SET NULL).
SELECT p.id,
       p.organization_id,
       p.user_id,
       p.content,
       p.created_at,
       p.updated_at,
       image.file_key AS image_key
  FROM posts p
  LEFT JOIN storage image ON image.id = p.image_id
 WHERE p.id = $1;
