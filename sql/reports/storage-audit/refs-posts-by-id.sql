-- Posts showing each of the storage rows in $1 (text[] of storage ids), through posts.image_id.
SELECT p.image_id AS storage_id, p.id AS ref_id
  FROM posts p
 WHERE p.image_id = ANY ($1::text[]);
