-- One user with the file key of their avatar. $1 user id.
-- The avatar is the storage row "user".image_id points at (by primary key). An OAuth avatar URL
-- that "user".image held before the pack is not a storage row: it maps to no image_id, so here
-- it is NULL (the contract step archived it in user_image_archive).
SELECT u.id,
       u.name,
       u.email,
       avatar.file_key AS avatar_key
  FROM "user" u
  LEFT JOIN storage avatar ON avatar.id = u.image_id
 WHERE u.id = $1;
