-- Harness only: the write half of a read-then-write transaction on posts (see rtw_select_post.sql).
-- It touches neither image column.
UPDATE posts SET content = $2, updated_at = now() WHERE id = $1
