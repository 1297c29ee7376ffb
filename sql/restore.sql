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
  -- "user".image stayed through the contract (provider URLs, for better-auth). Pending rows:
  -- an archive row (an archived key, or the app's last write since the contract: written =
  -- image or image_id), or an image_id whose key the column does not hold (a key the contract
  -- cleared, or an upload the app set while the column kept a provider URL). The same rule as
  -- the pending branch of image_ref_sync_user (sql/sync/user.sql).
  ids := ARRAY(SELECT u.id
                 FROM "user" u
                WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
                  AND (EXISTS (SELECT 1 FROM user_image_archive a WHERE a.user_id = u.id)
                       OR (u.image_id IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM storage s WHERE s.id = u.image_id AND s.file_key = u.image)))
                  FOR NO KEY UPDATE OF u NOWAIT);
  WITH target AS MATERIALIZED (
    SELECT u.id, a.written,
           CASE a.written WHEN 'image' THEN u.image
                          WHEN 'image_id' THEN s.file_key
                          ELSE coalesce(s.file_key, a.image) END AS image
      FROM "user" u
      LEFT JOIN user_image_archive a ON a.user_id = u.id
      LEFT JOIN storage s ON s.id = u.image_id
     WHERE u.id = ANY (ids)
       AND (a.user_id IS NOT NULL OR (u.image_id IS NOT NULL AND s.file_key IS DISTINCT FROM u.image))
  )
  UPDATE "user" u
     SET image = t.image,
         -- The app's last write was image (a provider URL): image_id follows it, by the rule.
         image_id = CASE WHEN t.written = 'image' THEN image_ref_user_storage_id(t.image) ELSE u.image_id END
    FROM target t
   WHERE u.id = t.id;
  GET DIAGNOSTICS m = ROW_COUNT;
  DELETE FROM user_image_archive a WHERE a.user_id = ANY (ids);
  n := cardinality(ids);
END
$$;
