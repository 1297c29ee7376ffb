-- Contract, user, undone, part 3: every row is restored; the rollback window's triggers and
-- the archive go. Two short transactions, one table each, in short attempts: first "user" (the
-- old column's second trigger, and the archive, which only "user"'s triggers write besides
-- storage's delete trigger, which tolerates its going), then storage. Back to the state after 07.
SET LOCAL statement_timeout = 0;
-- The archive too, in the same attempts: a storage delete holds it (its trigger archived a key)
-- while it waits for "user" (the cascade), the reverse of our order.
SELECT image_ref_lock('"user", user_image_archive', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);
DROP TRIGGER IF EXISTS image_ref_key_written ON "user";
DROP TABLE IF EXISTS user_image_archive;
