-- Contract, posts, part 3 (one transaction): drop posts.image_key. Catalog-only, under ACCESS
-- EXCLUSIVE on posts alone, taken in short attempts, held for milliseconds, never upgraded. No
-- scan runs under it: the archive pass checked every row, and the sync trigger kept every later
-- write consistent and archived. It must still be attached and enabled, or a write may have
-- slipped past it. The upload trigger on storage stays, idle: it does nothing once its index is
-- gone with the column (sql/sync/posts.sql), and it costs no lock on storage here.
SET LOCAL statement_timeout = 0;
SELECT image_ref_lock('posts', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                  WHERE tgrelid = 'posts'::regclass AND tgname = 'image_ref_sync' AND tgenabled = 'O')
     OR to_regclass('posts_image_key_archive') IS NULL THEN
    RAISE EXCEPTION 'contract refused, nothing changed: the sync trigger image_ref_sync on posts is missing or disabled, or the archive is missing'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Re-enable the trigger (ALTER TABLE posts ENABLE TRIGGER image_ref_sync), run make backfill, then run up again.';
  END IF;
END
$$;

DROP TRIGGER image_ref_sync ON posts;
DROP FUNCTION image_ref_sync_posts();
DROP FUNCTION image_ref_posts_key_written();
ALTER TABLE posts DROP COLUMN image_key;

-- From here until the down, the archive keeps what the old app would hold for each row whose
-- image_id is NULL: a value the new app replaces or clears is dropped from it (nothing older
-- comes back on rollback). A key whose storage row is deleted is archived by
-- image_ref_archive_posts_on_delete (part 1): the old app kept it.
CREATE OR REPLACE FUNCTION image_ref_archive_posts_settle()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  IF OLD.image_id IS NOT NULL AND NEW.image_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = OLD.image_id) THEN
    RETURN NULL;  -- ON DELETE SET NULL: the storage trigger archived the key
  END IF;
  DELETE FROM posts_image_key_archive WHERE post_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER image_ref_archive_settle
  AFTER UPDATE OF image_id ON posts
  FOR EACH ROW WHEN (OLD.image_id IS DISTINCT FROM NEW.image_id)
  EXECUTE FUNCTION image_ref_archive_posts_settle();
\ir ../../sql/lib/pin_functions.sql
