-- Contract, user, undone, part 1 (one transaction, with sql/sync/user.sql after it): the old
-- column comes back, empty, in an instant (catalog only), and the sync trigger is attached
-- again, with image_ref_key_written (the archive exists). From then on every app write settles
-- its row as if its value had been restored first. ACCESS EXCLUSIVE on "user" alone, in short
-- attempts (the upload trigger on storage is still there, idle until the restore rebuilds its index).
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image text;
-- The sync trigger maintains the archive now; the storage delete trigger stays until the
-- restore is done (09_contract-user.finish.sql): a pending row's key is only there.
DROP TRIGGER IF EXISTS image_ref_archive_settle ON "user";
DROP FUNCTION IF EXISTS image_ref_archive_user_settle();
\ir ../../sql/sync/user.sql
\ir ../../sql/lib/pin_functions.sql
