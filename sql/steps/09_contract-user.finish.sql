-- Contract, user, undone, part 3 (one transaction): every row is restored; the rollback
-- window's triggers and the archive go. ACCESS EXCLUSIVE on "user" and storage, at once, in
-- short attempts. Back to the state after 07.
SET LOCAL statement_timeout = 0;
SELECT image_ref_lock('"user", storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

DROP TRIGGER IF EXISTS image_ref_key_written ON "user";
DROP TRIGGER IF EXISTS image_ref_archive_user ON storage;
DROP FUNCTION IF EXISTS image_ref_archive_user_on_delete();
DROP TABLE IF EXISTS user_image_archive;
