-- Harness only: the read half of a read-then-write transaction on "user" (see rtw_select_post.sql).
SELECT id, name, email FROM "user" WHERE id = $1
