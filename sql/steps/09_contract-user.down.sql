-- Contract, user, undone: "user".image comes back with exactly the values it had. Runs before
-- sql/sync/user.sql re-attaches the trigger, so the restore does not re-resolve image_id.

SET LOCAL lock_timeout = '3s';

ALTER TABLE "user" ADD COLUMN image text;

UPDATE "user" u
   SET image = s.file_key
  FROM storage s
 WHERE s.id = u.image_id;

UPDATE "user" u
   SET image = a.image
  FROM user_image_archive a
 WHERE a.user_id = u.id
   AND u.image_id IS NULL;

DROP TABLE user_image_archive;
