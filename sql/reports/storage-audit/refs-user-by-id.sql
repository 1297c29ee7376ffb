-- Users showing each of the storage rows in $1 (text[] of storage ids), through "user".image_id.
SELECT u.image_id AS storage_id, u.id AS ref_id
  FROM "user" u
 WHERE u.image_id = ANY ($1::text[]);
