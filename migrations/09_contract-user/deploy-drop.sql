-- Contract, user, part 3 (one transaction): drop "user".image. Catalog-only, under ACCESS
-- EXCLUSIVE on "user" alone, taken in short attempts, held for milliseconds, never upgraded. No
-- scan runs under it: the archive pass checked every row, and the sync trigger kept every later
-- write consistent and archived. It must still be attached and enabled, or a write may have
-- slipped past it. The upload trigger on storage stays, idle: it does nothing once its index is
-- gone with the column (sql/sync/user.sql), and it costs no lock on storage here.
SET LOCAL statement_timeout = 0;
SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                  WHERE tgrelid = '"user"'::regclass AND tgname = 'image_ref_sync' AND tgenabled = 'O')
     OR to_regclass('user_image_archive') IS NULL THEN
    RAISE EXCEPTION 'contract refused, nothing changed: the sync trigger image_ref_sync on "user" is missing or disabled, or the archive is missing'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Re-enable the trigger (ALTER TABLE "user" ENABLE TRIGGER image_ref_sync), run make backfill, then run up again.';
  END IF;
END
$$;

DROP TRIGGER image_ref_sync ON "user";
DROP FUNCTION image_ref_sync_user();
DROP FUNCTION image_ref_user_key_written();
ALTER TABLE "user" DROP COLUMN image;

-- From here until the down, the archive keeps what the old app would hold for each row whose
-- image_id is NULL: a value the new app replaces or clears is dropped from it (nothing older
-- comes back on rollback). A key whose storage row is deleted is archived by
-- image_ref_archive_user_on_delete (part 1): the old app kept it.
CREATE OR REPLACE FUNCTION image_ref_archive_user_settle()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  IF OLD.image_id IS NOT NULL AND NEW.image_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = OLD.image_id) THEN
    RETURN NULL;  -- ON DELETE SET NULL: the storage trigger archived the key
  END IF;
  DELETE FROM user_image_archive WHERE user_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER image_ref_archive_settle
  AFTER UPDATE OF image_id ON "user"
  FOR EACH ROW WHEN (OLD.image_id IS DISTINCT FROM NEW.image_id)
  EXECUTE FUNCTION image_ref_archive_user_settle();
\ir ../../sql/lib/pin_functions.sql
