-- Transition sync for "user": while image and image_id both exist, old and new app versions
-- (and better-auth, which writes OAuth avatar URLs into image) write side by side, and these
-- triggers keep the two columns consistent. The same design as sql/sync/posts.sql, whose comments
-- explain each branch. Created by 05_transition-sync-triggers; detached by 09_contract-user
-- (which keeps the column for better-auth), and attached again by its down. Idempotent. Takes no lock itself: the caller has locked posts,
-- "user" and storage first (sql/lib/lock_retry.sql), all at once.
-- The functions are pinned to the pack's schema afterwards (sql/lib/pin_functions.sql).

-- The mapping rule for users: the storage row whose file_key equals the value byte for byte,
-- in any organization or none; the oldest wins (created_at, then id). NULL when unmapped
-- (URLs, blanks, unknown keys). The backfill and the contract's check call this same function.
CREATE OR REPLACE FUNCTION image_ref_user_storage_id(p_image text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT s.id
    FROM storage s
   WHERE s.file_key = p_image
   ORDER BY s.created_at, s.id
   LIMIT 1
$$;

-- better-auth writes provider avatar URLs into "user".image (social sign-in); the app's uploads
-- are object keys. The user contract (09) keeps the URLs in the column, where better-auth reads
-- them, and moves every key out of it. A URL is an absolute http(s) or data: URI; anything else
-- in image is an object key (mapped or not).
CREATE OR REPLACE FUNCTION image_ref_user_is_url(p_image text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT p_image ~* '^(https?://|data:)'
$$;

-- SECURITY DEFINER (owner's rights, search_path pinned): app roles with DML grants only, and
-- databases whose default privileges revoke EXECUTE from PUBLIC, keep every write they had; the
-- rule's lookups see every storage row; the archive (08) is written without granting it to apps.
CREATE OR REPLACE FUNCTION image_ref_sync_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
  key_changed boolean;
  id_changed  boolean;
  id_key      text;
  old_key     text;
  archived    text;
  written     text;
  pending     boolean := false;
  follows     boolean := false;
  explicit    boolean := false;
  has_archive boolean := to_regclass('user_image_archive') IS NOT NULL;
BEGIN
  -- The pack's own batches (backfill, restore) never get here: the trigger's WHEN leaves them out.
  IF TG_OP = 'INSERT' THEN
    key_changed := NEW.image IS NOT NULL;
    id_changed  := NEW.image_id IS NOT NULL;
  ELSE
    -- Set by image_ref_key_written (09's down only) when this UPDATE names image.
    IF current_setting('image_ref.user_key_written', true) = OLD.id THEN
      explicit := true;
      PERFORM set_config('image_ref.user_key_written', '', true);
    END IF;
    old_key := OLD.image;
    -- 09's down: a row whose old value is not written back yet ("pending"). The write is
    -- applied as if the value had been restored first (sql/restore.sql computes the same
    -- value), so a key the old app clears stays cleared and nothing older comes back later.
    -- Pending: an archive row (an archived key, or the app's last write since the contract:
    -- written = image or image_id), or an image_id whose key the column does not hold (a key
    -- the contract cleared, or an upload the app set while the column kept a provider URL).
    IF has_archive AND NOT explicit THEN
      SELECT a.image, a.written, true INTO archived, written, pending
        FROM user_image_archive a WHERE a.user_id = OLD.id;
      id_key := (SELECT s.file_key FROM storage s WHERE s.id = OLD.image_id);
      IF pending THEN
        old_key := CASE written WHEN 'image' THEN OLD.image
                                WHEN 'image_id' THEN id_key
                                ELSE coalesce(id_key, archived) END;
      ELSIF OLD.image_id IS NOT NULL AND id_key IS DISTINCT FROM OLD.image THEN
        pending := true;
        old_key := id_key;
      END IF;
      IF pending THEN
        NEW.image := old_key;
        -- The app's last write was image (a provider URL): image_id follows it (below).
        follows := written = 'image';
      END IF;
    END IF;
    key_changed := explicit OR NEW.image IS DISTINCT FROM old_key;
    id_changed  := NEW.image_id IS DISTINCT FROM OLD.image_id;
  END IF;

  IF key_changed AND NOT id_changed THEN
    -- An old-app write: resolve the key by the rule (NULL when unmapped; the key is kept).
    NEW.image_id := image_ref_user_storage_id(NEW.image);
  ELSIF id_changed AND NOT key_changed THEN
    IF NEW.image_id IS NULL AND OLD.image_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = OLD.image_id) THEN
      -- ON DELETE SET NULL: the storage row is gone, which is not the app's choice. The old app
      -- keeps its key; image_id follows the rule for it (another row with that key, or one
      -- uploaded later: see image_ref_resolve_user).
      NEW.image_id := image_ref_user_storage_id(NEW.image);
    ELSE
      -- A new-app write: the key follows the storage row, or goes NULL (the app removed the
      -- image). An id that does not exist gives NULL and is then rejected by the foreign key.
      NEW.image := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
    END IF;
  ELSIF id_changed AND key_changed THEN
    id_key := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
    IF NOT (CASE WHEN NEW.image_id IS NULL
                 THEN image_ref_user_storage_id(NEW.image) IS NULL
                 ELSE id_key = NEW.image END) THEN
      RAISE EXCEPTION 'user %: image % and image_id % disagree (storage % has file_key %)',
        NEW.id, quote_nullable(NEW.image), quote_nullable(NEW.image_id),
        quote_nullable(NEW.image_id), quote_nullable(id_key)
        USING ERRCODE = 'check_violation',
              HINT = 'During the transition write image or image_id, not both; the trigger fills in the other.';
    END IF;
  ELSIF NEW.image_id IS NULL AND NEW.image IS NOT NULL THEN
    -- A write that touches neither column, on a row the backfill has not filled yet: resolve it
    -- here. The backfill walks the table's pages once, and this write may move the row to a
    -- page it has already passed.
    NEW.image_id := image_ref_user_storage_id(NEW.image);
  END IF;

  IF follows AND NOT id_changed THEN
    NEW.image_id := image_ref_user_storage_id(NEW.image);
  END IF;

  -- While the contract's archive exists (09 filling it, or 09's down restoring from it): it
  -- holds exactly the unmapped keys, as of every row's last write. URLs stay in the column
  -- through the contract, so they are never archived.
  IF has_archive THEN
    IF NEW.image IS NOT NULL AND NEW.image_id IS NULL AND NOT image_ref_user_is_url(NEW.image) THEN
      INSERT INTO user_image_archive (user_id, image) VALUES (NEW.id, NEW.image)
      ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, written = NULL, archived_at = now();
    ELSIF TG_OP = 'UPDATE' THEN
      DELETE FROM user_image_archive WHERE user_id = OLD.id;
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- 09's down only: marks an UPDATE that names image in its SET list (even SET image =
-- NULL, which a row trigger cannot tell from "not touched"). Named to fire before image_ref_sync.
CREATE OR REPLACE FUNCTION image_ref_user_key_written()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF current_setting('image_ref.writer', true) IS DISTINCT FROM 'restore' THEN
    PERFORM set_config('image_ref.user_key_written', OLD.id, true);
  END IF;
  RETURN NEW;
END
$$;

-- An upload that arrives after the user naming its key: those users get an image_id, by the
-- rule. Reaches them through user_image_unmapped_idx (03): rows with an image and no image_id.
CREATE OR REPLACE FUNCTION image_ref_resolve_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  -- Without its index, built and valid (in a contract's down, until the restore has rebuilt it),
  -- the lookup would scan "user" on every upload: skip it then; a later write to such a row
  -- resolves it.
  IF EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = to_regclass('user_image_unmapped_idx') AND i.indisvalid) THEN
    BEGIN
      UPDATE "user" u
         SET image_id = image_ref_user_storage_id(u.image)
       WHERE u.image = NEW.file_key
         AND u.image_id IS NULL;
    EXCEPTION WHEN undefined_column THEN
      -- The contract dropped image while this upload waited for its lock: nothing to resolve.
      NULL;
    END;
  END IF;
  RETURN NULL;
END
$$;

-- Every update, not only of the two columns: see the last branch of image_ref_sync_posts (sql/sync/posts.sql).
-- The pack's own batches are left out by the WHEN, as on posts.
CREATE OR REPLACE TRIGGER image_ref_sync
  BEFORE INSERT OR UPDATE ON "user"
  FOR EACH ROW WHEN (coalesce(current_setting('image_ref.writer', true), '') NOT IN ('backfill', 'restore'))
  EXECUTE FUNCTION image_ref_sync_user();

-- Created once (05) and kept through the contract (idle without its index): a contract's down
-- that runs this file again then needs no lock on storage.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'storage'::regclass AND tgname = 'image_ref_resolve_user') THEN
    CREATE TRIGGER image_ref_resolve_user
      AFTER INSERT ON storage
      FOR EACH ROW EXECUTE FUNCTION image_ref_resolve_user();
  END IF;
END
$$;

-- In 09's down only (the archive exists): see image_ref_user_key_written.
DO $$
BEGIN
  IF to_regclass('user_image_archive') IS NOT NULL THEN
    CREATE OR REPLACE TRIGGER image_ref_key_written
      BEFORE UPDATE OF image ON "user"
      FOR EACH ROW EXECUTE FUNCTION image_ref_user_key_written();
  END IF;
END
$$;
