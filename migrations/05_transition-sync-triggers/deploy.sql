-- Transition: the sync triggers (sql/sync/posts.sql, sql/sync/user.sql, included at the end, in
-- the same transaction). Creating a trigger takes SHARE ROW EXCLUSIVE on its table: posts,
-- "user" and storage (the upload triggers), all at once, in short attempts.
SET LOCAL statement_timeout = 0;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'SHARE ROW EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);
\ir ../../sql/sync/posts.sql
\ir ../../sql/sync/user.sql
\ir ../../sql/lib/pin_functions.sql
