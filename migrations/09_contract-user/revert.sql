-- Contract, user, undone, part 1 (one transaction, sql/sync/user.sql included at the end): the
-- column stayed (better-auth's provider URLs); the sync trigger is attached again, with
-- image_ref_key_written (the archive exists). From then on every app write settles its row as
-- if its value had been restored first. ACCESS EXCLUSIVE on "user" alone, in short
-- attempts (the upload trigger on storage is still there, idle until the restore rebuilds its index).
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = 'user' AND column_name = 'image') THEN
    RAISE EXCEPTION 'down of 09_contract-user refused, nothing changed: "user".image is dropped (the opt-in step 10_drop-user-image is applied)'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Roll the opt-in step back first: npx node-pg-migrate down -m migrations/opt-in';
  END IF;
END
$$;
-- The sync trigger maintains the archive now; the storage delete trigger stays until the
-- restore is done (revert-finish-storage.sql): a pending row's key is only there.
DROP TRIGGER IF EXISTS image_ref_archive_settle ON "user";
DROP TRIGGER IF EXISTS image_ref_archive_settle_image ON "user";
DROP FUNCTION IF EXISTS image_ref_archive_user_settle();
\ir ../../sql/sync/user.sql
\ir ../../sql/lib/pin_functions.sql
