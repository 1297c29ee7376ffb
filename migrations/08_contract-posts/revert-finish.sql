-- Contract, posts, undone, part 3: every row is restored; the rollback window's triggers and
-- the archive go. Two short transactions, one table each, in short attempts: first posts (the
-- old column's second trigger, and the archive, which only posts's triggers write besides
-- storage's delete trigger, which tolerates its going), then storage. Back to the state after 07.
SET LOCAL statement_timeout = 0;
-- Its IF EXISTS drops name what an earlier step may never have made; their "does not exist,
-- skipping" NOTICEs are noise in the CLI's output, so only warnings and errors go to the client.
SET LOCAL client_min_messages = warning;
-- The archive too, in the same attempts: a storage delete holds it (its trigger archived a key)
-- while it waits for posts (the cascade), the reverse of our order.
SELECT image_ref_lock('posts, posts_image_key_archive', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);
DROP TRIGGER IF EXISTS image_ref_key_written ON posts;
DROP TABLE IF EXISTS posts_image_key_archive;
