-- Contract, user, part 3 (one transaction): the transition ends for "user". The sync trigger
-- is detached; "user".image stays, because better-auth reads and writes it (provider avatar
-- URLs at social sign-in) and refuses a schema without it. From now on the app writes image_id
-- for uploads, and better-auth writes image for URLs, each on its own.
-- ACCESS EXCLUSIVE on "user" (DROP TRIGGER), for an instant, in short attempts: the archive
-- pass before this one did its work in committed batches.
SET LOCAL statement_timeout = 0;
-- Its IF EXISTS drops name what an earlier step may never have made; their "does not exist,
-- skipping" NOTICEs are noise in the CLI's output, so only warnings and errors go to the client.
SET LOCAL client_min_messages = warning;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- A rerun after this part committed (the clear pass was interrupted) finds the trigger
-- detached already, and goes on.
DO $$
BEGIN
  IF to_regclass('user_image_archive') IS NULL
     OR NOT EXISTS (SELECT 1 FROM pg_trigger
                     WHERE tgrelid = '"user"'::regclass
                       AND ((tgname = 'image_ref_sync' AND tgenabled = 'O') OR tgname = 'image_ref_archive_settle_image')) THEN
    RAISE EXCEPTION 'contract refused, nothing changed: the sync trigger image_ref_sync on "user" is missing or disabled, or the archive is missing'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Re-enable the trigger (ALTER TABLE "user" ENABLE TRIGGER image_ref_sync), run make backfill, then run up again.';
  END IF;
END
$$;

DROP TRIGGER IF EXISTS image_ref_sync ON "user";
DROP TRIGGER IF EXISTS image_ref_key_written ON "user";
DROP FUNCTION IF EXISTS image_ref_sync_user();
DROP FUNCTION IF EXISTS image_ref_user_key_written();

-- Until the down, the archive also records the app's last write to a row: the down gives the
-- old column what the old app would hold after it (sql/restore.sql). written = image_id: the
-- file's key (or NULL, an image removed). written = image: the value written (better-auth's
-- provider URL, or NULL), with image_id following it by the rule. Naming image in the SET list
-- is a write, even SET image = NULL on a row whose key was cleared: the app said "no image".
-- A storage delete's ON DELETE SET NULL is not the app's choice: the storage trigger archived
-- the key. The clear pass's own writes (image_ref.writer = clear) are not the app's either.
-- It never reads NEW.image: the opt-in drop of "user".image (migrations/opt-in) keeps it.
CREATE OR REPLACE FUNCTION image_ref_archive_user_settle()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  IF current_setting('image_ref.writer', true) = 'clear' THEN
    RETURN NULL;
  END IF;
  IF TG_NAME = 'image_ref_archive_settle'
     AND OLD.image_id IS NOT NULL AND NEW.image_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = OLD.image_id) THEN
    RETURN NULL;  -- ON DELETE SET NULL: the storage trigger archived the key
  END IF;
  INSERT INTO user_image_archive (user_id, image, written)
  VALUES (NEW.id, NULL, CASE TG_NAME WHEN 'image_ref_archive_settle' THEN 'image_id' ELSE 'image' END)
  ON CONFLICT (user_id) DO UPDATE SET image = NULL, written = EXCLUDED.written, archived_at = now();
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER image_ref_archive_settle
  AFTER UPDATE OF image_id ON "user"
  FOR EACH ROW WHEN (OLD.image_id IS DISTINCT FROM NEW.image_id)
  EXECUTE FUNCTION image_ref_archive_user_settle();

CREATE OR REPLACE TRIGGER image_ref_archive_settle_image
  AFTER UPDATE OF image ON "user"
  FOR EACH ROW EXECUTE FUNCTION image_ref_archive_user_settle();
\ir ../../sql/lib/pin_functions.sql
