-- Posts showing each of the storage rows in $1 (text[] of storage ids) through the old
-- posts.image_key: the same key, byte for byte, in the row's organization (the mapping rule's
-- match; every duplicate row of a key shares its object, so each counts).
SELECT s.id AS storage_id, p.id AS ref_id
  FROM storage s
  JOIN posts p ON p.image_key = s.file_key AND p.organization_id = s.organization_id
 WHERE s.id = ANY ($1::text[]);
