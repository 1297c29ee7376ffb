-- Contract, user, undone, part 4 (one transaction): the storage delete trigger of part 1 goes
-- (DROP TRIGGER takes ACCESS EXCLUSIVE on storage, for an instant, in short attempts).
SET LOCAL statement_timeout = 0;
SELECT image_ref_lock('storage', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);
DROP TRIGGER IF EXISTS image_ref_archive_user ON storage;
DROP FUNCTION IF EXISTS image_ref_archive_user_on_delete();
