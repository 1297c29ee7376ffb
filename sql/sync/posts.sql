-- Transition sync for posts: while image_key and image_id both exist, old and new app versions
-- write side by side, and these triggers keep the two columns consistent.
-- Created by 05_transition-sync-triggers; dropped by 08_contract-posts, and created again by its
-- down. Idempotent. Takes no lock itself: the caller has locked posts, "user" and storage first
-- (sql/lib/lock_retry.sql), all at once, so it never waits on one table while holding another.
-- The functions are pinned to the pack's schema afterwards (sql/lib/pin_functions.sql).

-- The mapping rule for posts: the storage row whose file_key equals the key byte for byte and
-- whose organization is the post's; the oldest wins (created_at, then id). NULL when unmapped.
-- The backfill and the contract's check call this same function.
CREATE OR REPLACE FUNCTION image_ref_post_storage_id(p_organization_id text, p_image_key text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT s.id
    FROM storage s
   WHERE s.file_key = p_image_key
     AND s.organization_id = p_organization_id
   ORDER BY s.created_at, s.id
   LIMIT 1
$$;

-- SECURITY DEFINER (owner's rights, search_path pinned): app roles with DML grants only, and
-- databases whose default privileges revoke EXECUTE from PUBLIC, keep every write they had; the
-- rule's lookups see every storage row; the archive (08) is written without granting it to apps.
CREATE OR REPLACE FUNCTION image_ref_sync_posts()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
  key_changed boolean;
  id_changed  boolean;
  id_key      text;
  old_key     text;
  archived    text;
  explicit    boolean := false;
  has_archive boolean := to_regclass('posts_image_key_archive') IS NOT NULL;
BEGIN
  -- The pack's own batches (backfill, restore) never get here: the trigger's WHEN leaves them out.
  IF TG_OP = 'INSERT' THEN
    key_changed := NEW.image_key IS NOT NULL;
    id_changed  := NEW.image_id IS NOT NULL;
  ELSE
    -- Set by image_ref_key_written (08's down only) when this UPDATE names image_key.
    IF current_setting('image_ref.posts_key_written', true) = OLD.id THEN
      explicit := true;
      PERFORM set_config('image_ref.posts_key_written', '', true);
    END IF;
    old_key := OLD.image_key;
    -- 08's down: a row whose old value is not written back yet ("pending": no key, but an
    -- image_id or an archived value). The write is applied as if the value had been restored
    -- first, so a key the old app clears stays cleared and nothing older comes back later.
    IF OLD.image_key IS NULL AND has_archive THEN
      SELECT a.image_key INTO archived FROM posts_image_key_archive a WHERE a.post_id = OLD.id;
      IF (OLD.image_id IS NOT NULL OR archived IS NOT NULL) AND NOT explicit THEN
        old_key := coalesce((SELECT s.file_key FROM storage s WHERE s.id = OLD.image_id), archived);
        NEW.image_key := old_key;
      END IF;
    END IF;
    -- Moving a post to another organization re-resolves its key there.
    key_changed := explicit
                OR NEW.image_key IS DISTINCT FROM old_key
                OR NEW.organization_id IS DISTINCT FROM OLD.organization_id;
    id_changed  := NEW.image_id IS DISTINCT FROM OLD.image_id;
  END IF;

  IF key_changed AND NOT id_changed THEN
    -- An old-app write: resolve the key by the rule (NULL when unmapped; the key is kept).
    NEW.image_id := image_ref_post_storage_id(NEW.organization_id, NEW.image_key);
  ELSIF id_changed AND NOT key_changed THEN
    IF NEW.image_id IS NULL AND OLD.image_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = OLD.image_id) THEN
      -- ON DELETE SET NULL: the storage row is gone, which is not the app's choice. The old app
      -- keeps its key; image_id follows the rule for it (another row with that key, or one
      -- uploaded later: see image_ref_resolve_posts).
      NEW.image_id := image_ref_post_storage_id(NEW.organization_id, NEW.image_key);
    ELSE
      -- A new-app write: the key follows the storage row, or goes NULL (the app removed the
      -- image). An id that does not exist gives NULL and is then rejected by the foreign key.
      NEW.image_key := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
    END IF;
  ELSIF id_changed AND key_changed THEN
    id_key := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
    IF NOT (CASE WHEN NEW.image_id IS NULL
                 THEN image_ref_post_storage_id(NEW.organization_id, NEW.image_key) IS NULL
                 ELSE id_key = NEW.image_key END) THEN
      RAISE EXCEPTION 'posts %: image_key % and image_id % disagree (storage % has file_key %)',
        NEW.id, quote_nullable(NEW.image_key), quote_nullable(NEW.image_id),
        quote_nullable(NEW.image_id), quote_nullable(id_key)
        USING ERRCODE = 'check_violation',
              HINT = 'During the transition write image_key or image_id, not both; the trigger fills in the other.';
    END IF;
  ELSIF NEW.image_id IS NULL AND NEW.image_key IS NOT NULL THEN
    -- A write that touches neither column, on a row the backfill has not filled yet: resolve it
    -- here. The backfill walks the table's pages once, and this write may move the row to a
    -- page it has already passed.
    NEW.image_id := image_ref_post_storage_id(NEW.organization_id, NEW.image_key);
  END IF;

  -- While the contract's archive exists (08 filling it, or 08's down restoring from it): it
  -- holds exactly the unmapped keys, as of every row's last write.
  IF has_archive THEN
    IF NEW.image_key IS NOT NULL AND NEW.image_id IS NULL THEN
      INSERT INTO posts_image_key_archive (post_id, image_key) VALUES (NEW.id, NEW.image_key)
      ON CONFLICT (post_id) DO UPDATE SET image_key = EXCLUDED.image_key, archived_at = now();
    ELSIF TG_OP = 'UPDATE' THEN
      DELETE FROM posts_image_key_archive WHERE post_id = OLD.id;
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- 08's down only: marks an UPDATE that names image_key in its SET list (even SET image_key =
-- NULL, which a row trigger cannot tell from "not touched"). Named to fire before image_ref_sync.
CREATE OR REPLACE FUNCTION image_ref_posts_key_written()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF OLD.image_key IS NULL AND current_setting('image_ref.writer', true) IS DISTINCT FROM 'restore' THEN
    PERFORM set_config('image_ref.posts_key_written', OLD.id, true);
  END IF;
  RETURN NEW;
END
$$;

-- An upload that arrives after the post naming it (a webhook-style flow): the posts of its
-- organization that name its key and have no image_id get one, by the rule. Reaches them through
-- posts_image_key_unmapped_idx (03), which holds only rows with a key and no image_id.
CREATE OR REPLACE FUNCTION image_ref_resolve_posts()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  -- Without its index, built and valid (in a contract's down, until the restore has rebuilt it),
  -- the lookup would scan posts on every upload: skip it then; a later write to such a row
  -- resolves it.
  IF NEW.organization_id IS NOT NULL AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = to_regclass('posts_image_key_unmapped_idx') AND i.indisvalid) THEN
    BEGIN
      UPDATE posts p
         SET image_id = image_ref_post_storage_id(p.organization_id, p.image_key)
       WHERE p.image_key = NEW.file_key
         AND p.organization_id = NEW.organization_id
         AND p.image_id IS NULL;
    EXCEPTION WHEN undefined_column THEN
      -- The contract dropped image_key while this upload waited for its lock: nothing to resolve.
      NULL;
    END;
  END IF;
  RETURN NULL;
END
$$;

-- Every update, not only of the two columns: see the last branch of image_ref_sync_posts.
-- Except the pack's own batches (backfill, restore: sql/batches.sql sets image_ref.writer for the
-- batch's transaction), which write both columns consistently themselves: the WHEN leaves them
-- out, so the function is not even called for their rows (calling it to return at once cost the
-- backfill more than its own work; bench/README.md, "The backfill against its reference").
CREATE OR REPLACE TRIGGER image_ref_sync
  BEFORE INSERT OR UPDATE ON posts
  FOR EACH ROW WHEN (coalesce(current_setting('image_ref.writer', true), '') NOT IN ('backfill', 'restore'))
  EXECUTE FUNCTION image_ref_sync_posts();

-- Created once (05) and kept through the contract (idle without its index): a contract's down
-- that runs this file again then needs no lock on storage.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'storage'::regclass AND tgname = 'image_ref_resolve_posts') THEN
    CREATE TRIGGER image_ref_resolve_posts
      AFTER INSERT ON storage
      FOR EACH ROW EXECUTE FUNCTION image_ref_resolve_posts();
  END IF;
END
$$;

-- In 08's down only (the archive exists): see image_ref_posts_key_written.
DO $$
BEGIN
  IF to_regclass('posts_image_key_archive') IS NOT NULL THEN
    CREATE OR REPLACE TRIGGER image_ref_key_written
      BEFORE UPDATE OF image_key ON posts
      FOR EACH ROW EXECUTE FUNCTION image_ref_posts_key_written();
  END IF;
END
$$;
