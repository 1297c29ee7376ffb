-- Contract, posts, part 1 (one transaction): the archive for the unmapped old values, and the
-- storage trigger that archives the key of every post whose file is deleted (the old app keeps
-- keys; from the column drop on, only the archive can). From the moment the archive exists, the
-- sync trigger keeps it exact for every row the app writes (sql/sync/posts.sql); part 2
-- (deploy-archive.sql) copies the rest in batches. CREATE TRIGGER takes SHARE ROW
-- EXCLUSIVE on storage (uploads and deletes wait one attempt at most); posts is not locked.
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('storage', 'SHARE ROW EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

CREATE TABLE IF NOT EXISTS posts_image_key_archive (
  post_id     text PRIMARY KEY,
  image_key   text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);

-- While the archive exists (until 08's down has restored from it). Through posts_image_id_idx
-- (03): the posts that show this file. The archive may be dropped between the check and the
-- INSERT (08's down finishing): the delete then goes on without it.
CREATE OR REPLACE FUNCTION image_ref_archive_posts_on_delete()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  IF to_regclass('posts_image_key_archive') IS NOT NULL THEN
    BEGIN
      -- FOR NO KEY UPDATE: a post an open app transaction is writing is waited for and read
      -- again in its committed version (READ COMMITTED rechecks the WHERE), so a post the app
      -- pointed elsewhere or cleared meanwhile is not archived from its older version. The
      -- delete's ON DELETE SET NULL takes the same row locks right after, in the same order.
      INSERT INTO posts_image_key_archive (post_id, image_key)
      SELECT p.id, OLD.file_key
        FROM posts p
       WHERE p.image_id = OLD.id AND p.organization_id = OLD.organization_id
         FOR NO KEY UPDATE OF p
      ON CONFLICT (post_id) DO UPDATE SET image_key = EXCLUDED.image_key, archived_at = now();
    EXCEPTION WHEN undefined_table THEN
      NULL;
    END;
  END IF;
  RETURN OLD;
END
$$;

CREATE OR REPLACE TRIGGER image_ref_archive_posts
  BEFORE DELETE ON storage
  FOR EACH ROW EXECUTE FUNCTION image_ref_archive_posts_on_delete();
\ir ../../sql/lib/pin_functions.sql
