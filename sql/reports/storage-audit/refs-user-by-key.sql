-- Users showing each of the storage rows in $1 (text[] of storage ids) through the old
-- "user".image: the same key, byte for byte, in any organization or none.
SELECT s.id AS storage_id, u.id AS ref_id
  FROM storage s
  JOIN "user" u ON u.image = s.file_key
 WHERE s.id = ANY ($1::text[]);
