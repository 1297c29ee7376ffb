-- The contracts' downs (08, 09), one batch at a time under sql/batches.sql: write the re-added
-- old column (posts.image_key, "user".image) back. A mapped row gets its storage row's file_key
-- (the contract proved them equal); an unmapped one gets its archived value.
--
-- A row is "pending" while its old column is NULL and it has an image_id or an archived value.
-- The sync trigger is attached before this runs and settles any pending row the app writes
-- first, applying the app's write on top of the restored value and removing its archived value
-- (sql/sync/*.sql). So this pass writes only rows still pending, and it locks them before it
-- reads their values: a value read before an app write can never be written after it. NOWAIT:
-- a batch never waits for a row an app transaction holds while it holds others (app writes would
-- queue behind it); it fails at once, and sql/batches.sql retries it, smaller, after a pause.
-- Each batch removes the archived values it wrote back. Idempotent and resumable.

CREATE OR REPLACE PROCEDURE image_ref_restore_posts(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  ids    text[];
BEGIN
  -- Lock the pending rows first (an app write in flight finishes, and settles its row)...
  ids := ARRAY(SELECT p.id
                 FROM posts p
                WHERE p.ctid >= lo_tid AND p.ctid < hi_tid
                  AND p.image_key IS NULL
                  AND (p.image_id IS NOT NULL
                       OR EXISTS (SELECT 1 FROM posts_image_key_archive a WHERE a.post_id = p.id))
                  FOR NO KEY UPDATE OF p NOWAIT);
  -- ...then read their values in a new snapshot, which sees every write that got there first.
  UPDATE posts p
     SET image_key = coalesce((SELECT s.file_key FROM storage s WHERE s.id = p.image_id),
                              (SELECT a.image_key FROM posts_image_key_archive a WHERE a.post_id = p.id))
   WHERE p.id = ANY (ids)
     AND p.image_key IS NULL;
  GET DIAGNOSTICS m = ROW_COUNT;
  DELETE FROM posts_image_key_archive a WHERE a.post_id = ANY (ids);
  n := cardinality(ids);
END
$$;

CREATE OR REPLACE PROCEDURE image_ref_restore_user(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  ids    text[];
BEGIN
  ids := ARRAY(SELECT u.id
                 FROM "user" u
                WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
                  AND u.image IS NULL
                  AND (u.image_id IS NOT NULL
                       OR EXISTS (SELECT 1 FROM user_image_archive a WHERE a.user_id = u.id))
                  FOR NO KEY UPDATE OF u NOWAIT);
  UPDATE "user" u
     SET image = coalesce((SELECT s.file_key FROM storage s WHERE s.id = u.image_id),
                          (SELECT a.image FROM user_image_archive a WHERE a.user_id = u.id))
   WHERE u.id = ANY (ids)
     AND u.image IS NULL;
  GET DIAGNOSTICS m = ROW_COUNT;
  DELETE FROM user_image_archive a WHERE a.user_id = ANY (ids);
  n := cardinality(ids);
END
$$;
