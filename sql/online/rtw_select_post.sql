-- Harness only: the read half of a read-then-write transaction (BEGIN; this; rtw_update_post.sql;
-- COMMIT). The SELECT holds ACCESS SHARE on posts until COMMIT, and the UPDATE then needs ROW
-- EXCLUSIVE: a migration that takes SHARE and later asks for ACCESS EXCLUSIVE deadlocks with it.
SELECT id, content, updated_at FROM posts WHERE id = $1
