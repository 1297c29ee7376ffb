-- Transition sync for posts: while image_key and image_id both exist, old and new app versions
-- write side by side, and this trigger keeps the two columns consistent.
-- Created by 05_transition-sync-triggers; dropped by 08_contract-posts, and created again by
-- its down. Idempotent: safe to run twice.

-- Attaching the trigger takes SHARE ROW EXCLUSIVE on the table: fail fast rather than queue.
SET LOCAL lock_timeout = '3s';

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

CREATE OR REPLACE FUNCTION image_ref_sync_posts()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  key_changed boolean;
  id_changed  boolean;
  id_key      text;
BEGIN
  -- The contract's down (sql/restore.sql) fills the old column back in itself, consistently.
  IF current_setting('image_ref.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;

  IF TG_OP = 'INSERT' THEN
    key_changed := NEW.image_key IS NOT NULL;
    id_changed  := NEW.image_id IS NOT NULL;
  ELSE
    -- Moving a post to another organization re-resolves its key there.
    key_changed := NEW.image_key IS DISTINCT FROM OLD.image_key
                OR NEW.organization_id IS DISTINCT FROM OLD.organization_id;
    id_changed  := NEW.image_id IS DISTINCT FROM OLD.image_id;
  END IF;

  IF key_changed AND NOT id_changed THEN
    -- An old-app write: resolve the key by the rule (NULL when unmapped; the key is kept).
    NEW.image_id := image_ref_post_storage_id(NEW.organization_id, NEW.image_key);
  ELSIF id_changed AND NOT key_changed THEN
    -- A new-app write (or ON DELETE SET NULL): the key follows the storage row, or goes NULL.
    -- An id that does not exist gives NULL here and is then rejected by the foreign key.
    NEW.image_key := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
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
  RETURN NEW;
END
$$;

-- Every update, not only of the two columns: see the last branch above.
CREATE OR REPLACE TRIGGER image_ref_sync
  BEFORE INSERT OR UPDATE ON posts
  FOR EACH ROW EXECUTE FUNCTION image_ref_sync_posts();
