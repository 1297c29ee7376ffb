-- Harness only (make verify-online): the feed as the old app reads it, by the raw image_key.
-- It runs from before the pack starts until just before the contract.
SELECT p.id, p.user_id, p.content, p.created_at, p.image_key
  FROM posts p
 WHERE p.organization_id = $1
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT 20
