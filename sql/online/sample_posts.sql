-- Harness only: a fixed sample of posts for the writers (md5 order: the same rows every run).
SELECT id, organization_id, user_id FROM posts ORDER BY md5(id) LIMIT $1
