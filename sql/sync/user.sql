-- Transition sync for "user": while image and image_id both exist, old and new app versions
-- (and better-auth, which writes OAuth avatar URLs into image) write side by side, and this
-- trigger keeps the two columns consistent.
-- Created by 05_transition-sync-triggers; dropped by 09_contract-user, and created again by
-- its down. Idempotent: safe to run twice.

-- Attaching the trigger takes SHARE ROW EXCLUSIVE on the table: fail fast rather than queue.
SET LOCAL lock_timeout = '3s';

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

CREATE OR REPLACE FUNCTION image_ref_sync_user()
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
    key_changed := NEW.image IS NOT NULL;
    id_changed  := NEW.image_id IS NOT NULL;
  ELSE
    key_changed := NEW.image IS DISTINCT FROM OLD.image;
    id_changed  := NEW.image_id IS DISTINCT FROM OLD.image_id;
  END IF;

  IF key_changed AND NOT id_changed THEN
    NEW.image_id := image_ref_user_storage_id(NEW.image);
  ELSIF id_changed AND NOT key_changed THEN
    NEW.image := (SELECT s.file_key FROM storage s WHERE s.id = NEW.image_id);
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
  RETURN NEW;
END
$$;

-- Every update, not only of the two columns: see the last branch above.
CREATE OR REPLACE TRIGGER image_ref_sync
  BEFORE INSERT OR UPDATE ON "user"
  FOR EACH ROW EXECUTE FUNCTION image_ref_sync_user();
