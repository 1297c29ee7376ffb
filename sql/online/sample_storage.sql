-- Harness only: storage rows the writers point at, per organization (NULL: personal avatars).
SELECT id, organization_id, file_key FROM storage ORDER BY md5(id) LIMIT $1
