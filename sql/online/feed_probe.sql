-- Harness only (make verify-online): the feed as the new app reads it once image_id exists.
-- One organization's newest 20 posts (the baseline's feed index), each with its image through
-- image_id. Explicit columns, never p.*: a prepared "SELECT *" fails with "cached plan must not
-- change result type" once a migration adds or drops a column.
SELECT p.id, p.user_id, p.content, p.created_at, p.image_id, s.file_key AS image_file_key
  FROM posts p
  LEFT JOIN storage s ON s.id = p.image_id
 WHERE p.organization_id = $1
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT 20
