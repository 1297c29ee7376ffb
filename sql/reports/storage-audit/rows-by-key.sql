-- The storage rows of the keys in $1 (text[]): the rows whose object is missing.
SELECT id, file_key AS key, created_at
  FROM storage
 WHERE file_key = ANY ($1::text[])
 ORDER BY file_key, created_at, id;
