-- One user with their avatar, before the pack: the raw value of "user".image (a storage key, or
-- an OAuth avatar URL). Same parameters and columns as ../user_with_avatar.sql. $1 user id.
SELECT u.id,
       u.name,
       u.email,
       u.image AS avatar_key
  FROM "user" u
 WHERE u.id = $1;
