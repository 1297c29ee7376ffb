-- Contract, user, part 1 (one transaction): as 08's deploy.sql, for "user".image: the
-- archive, and the storage trigger that archives the avatar key of every user whose file is
-- deleted. SHARE ROW EXCLUSIVE on storage for an instant; "user" is not locked.
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('storage', 'SHARE ROW EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- image: an object key the contract moved out of "user".image that the down puts back (an
-- unmapped key, or the key of a file deleted since). written: the app's last write to the row
-- since the contract, image or image_id (then image is NULL): the down follows it instead
-- (sql/restore.sql). A row with neither needs nothing from here.
CREATE TABLE IF NOT EXISTS user_image_archive (
  user_id     text PRIMARY KEY,
  image       text,
  written     text CHECK (written IN ('image', 'image_id')),
  archived_at timestamptz NOT NULL DEFAULT now()
);

-- Through user_image_id_idx (03): the users whose avatar this file is.
CREATE OR REPLACE FUNCTION image_ref_archive_user_on_delete()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  IF to_regclass('user_image_archive') IS NOT NULL THEN
    BEGIN
      -- FOR NO KEY UPDATE, as in 08's trigger: a user an open app transaction is writing is
      -- read again in its committed version, so its write's record (written) is not
      -- overwritten from the row's older version.
      INSERT INTO user_image_archive (user_id, image)
      SELECT u.id, OLD.file_key
        FROM "user" u
       WHERE u.image_id = OLD.id
         FOR NO KEY UPDATE OF u
      -- A provider URL the app wrote since the contract stays what the old app holds.
      ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, written = NULL, archived_at = now()
        WHERE user_image_archive.written IS DISTINCT FROM 'image';
    EXCEPTION WHEN undefined_table THEN
      NULL;
    END;
  END IF;
  RETURN OLD;
END
$$;

CREATE OR REPLACE TRIGGER image_ref_archive_user
  BEFORE DELETE ON storage
  FOR EACH ROW EXECUTE FUNCTION image_ref_archive_user_on_delete();
\ir ../../sql/lib/pin_functions.sql
