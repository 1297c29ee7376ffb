-- The contracts' archive pass (08, 09), one batch at a time under sql/batches.sql: copies every
-- unmapped old value (unknown keys, other organizations' keys, URLs, blanks, variants) into the
-- archive, so the down can put it back exactly, and checks the contract's precondition on the
-- same rows. Mapped values need no copy: the down reads them back from storage.file_key.
--
-- The rows the batch may copy (no image_id, a value in the old column) are locked FOR SHARE
-- first, and read and copied by a second statement: a concurrent app write to one of them waits
-- for the batch (tens of ms) and then goes through the sync trigger, which keeps the archive
-- exact from then on (sql/sync/*.sql: it maintains the archive while it exists). Without the
-- lock, a value read before an app write could be copied after it. The second statement's
-- snapshot is taken after the locks, so it sees every locked row as it stays until the commit.
-- NOWAIT, as in sql/restore.sql: a batch that meets a row an app transaction holds is retried,
-- smaller.
--
-- Mapped rows (an image_id) are only checked, never copied, so they are read unlocked, in the
-- second statement's snapshot: every committed write in it went through the sync and storage
-- triggers, so a row and the storage rows beside it agree there. Not locking them keeps the
-- pass out of the way of a storage delete, whose ON DELETE SET NULL writes exactly these rows
-- (under a batch's locks it waited for the batch, and for the next one, in 1M-row runs).
--
-- bad: rows with a mappable key and no image_id, or an image_id whose file_key is not the key
-- (a write that bypassed the triggers); examples: their ids. The driver refuses if any.

CREATE OR REPLACE PROCEDURE image_ref_archive_posts(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  ids    text[];
BEGIN
  ids := ARRAY(SELECT p.id
                 FROM posts p
                WHERE p.ctid >= lo_tid AND p.ctid < hi_tid
                  AND p.image_key IS NOT NULL AND p.image_id IS NULL
                  FOR SHARE OF p NOWAIT);
  -- The locked rows by id (a row an app write moved off these pages before the lock is locked
  -- in its new version, wherever it is), and the mapped rows of the batch's pages.
  WITH checked AS MATERIALIZED (
    SELECT p.id, p.image_key, p.image_id,
           image_ref_post_storage_id(p.organization_id, p.image_key) IS NOT NULL AS bad
      FROM posts p
     WHERE p.id = ANY (ids)
    UNION ALL
    SELECT p.id, p.image_key, p.image_id, s.file_key IS DISTINCT FROM p.image_key
      FROM posts p
      LEFT JOIN storage s ON s.id = p.image_id
     WHERE p.ctid >= lo_tid AND p.ctid < hi_tid AND p.image_id IS NOT NULL
  ), ins AS (
    INSERT INTO posts_image_key_archive (post_id, image_key)
    SELECT c.id, c.image_key FROM checked c
     WHERE c.image_id IS NULL AND c.image_key IS NOT NULL AND NOT c.bad
    ON CONFLICT (post_id) DO UPDATE SET image_key = EXCLUDED.image_key
    RETURNING 1
  )
  SELECT count(*), (SELECT count(*) FROM ins), count(*) FILTER (WHERE c.bad),
         string_agg(c.id || CASE WHEN c.image_id IS NULL THEN ' (mappable key, no image_id)'
                                 ELSE ' (key disagrees with image_id)' END, ', ' ORDER BY c.id) FILTER (WHERE c.bad)
    INTO n, m, bad, examples
    FROM checked c;
END
$$;

CREATE OR REPLACE PROCEDURE image_ref_archive_user(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  ids    text[];
BEGIN
  ids := ARRAY(SELECT u.id
                 FROM "user" u
                WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
                  AND u.image IS NOT NULL AND u.image_id IS NULL
                  FOR SHARE OF u NOWAIT);
  -- As for posts: the locked rows by id, the mapped rows of the batch's pages.
  WITH checked AS MATERIALIZED (
    SELECT u.id, u.image, u.image_id, image_ref_user_storage_id(u.image) IS NOT NULL AS bad
      FROM "user" u
     WHERE u.id = ANY (ids)
    UNION ALL
    SELECT u.id, u.image, u.image_id, s.file_key IS DISTINCT FROM u.image
      FROM "user" u
      LEFT JOIN storage s ON s.id = u.image_id
     WHERE u.ctid >= lo_tid AND u.ctid < hi_tid AND u.image_id IS NOT NULL
  ), ins AS (
    -- Provider URLs stay in "user".image (better-auth reads them): only keys are archived.
    INSERT INTO user_image_archive (user_id, image)
    SELECT c.id, c.image FROM checked c
     WHERE c.image_id IS NULL AND c.image IS NOT NULL AND NOT c.bad
       AND NOT image_ref_user_is_url(c.image)
    ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, written = NULL
    RETURNING 1
  )
  SELECT count(*), (SELECT count(*) FROM ins), count(*) FILTER (WHERE c.bad),
         string_agg(c.id || CASE WHEN c.image_id IS NULL THEN ' (mappable image, no image_id)'
                                 ELSE ' (image disagrees with image_id)' END, ', ' ORDER BY c.id) FILTER (WHERE c.bad)
    INTO n, m, bad, examples
    FROM checked c;
END
$$;

-- 09's clear pass, after the user sync trigger is detached: every object key goes out of
-- "user".image, which keeps only provider URLs for better-auth. An unmapped key is archived in
-- the same statement (the down puts it back); a mapped one needs no copy (its storage row has
-- it). Rows locked first, NOWAIT, then read in a new snapshot, as above: a value read before an
-- app write is never cleared after it. image_ref.writer = clear (set by sql/batches.sql) keeps
-- the settle trigger from taking this write for the app's.
CREATE OR REPLACE PROCEDURE image_ref_clear_user(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  ids    text[];
BEGIN
  ids := ARRAY(SELECT u.id
                 FROM "user" u
                WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
                  AND u.image IS NOT NULL
                  AND (NOT image_ref_user_is_url(u.image) OR u.image_id IS NOT NULL)
                  FOR NO KEY UPDATE OF u NOWAIT);
  WITH keys AS MATERIALIZED (
    SELECT u.id, u.image, u.image_id
      FROM "user" u
     WHERE u.id = ANY (ids)
       AND u.image IS NOT NULL
       AND (NOT image_ref_user_is_url(u.image)
            OR EXISTS (SELECT 1 FROM storage s WHERE s.id = u.image_id AND s.file_key = u.image))
  ), ins AS (
    INSERT INTO user_image_archive (user_id, image)
    SELECT k.id, k.image FROM keys k WHERE k.image_id IS NULL
    -- A row the app wrote since the trigger was detached (written = image_id or image) keeps
    -- that record: its key is stale (say, the app removed the image), and the down follows the
    -- app's write, not the key this pass clears.
    ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, written = NULL, archived_at = now()
      WHERE user_image_archive.written IS NULL
    RETURNING 1
  ), cleared AS (
    UPDATE "user" u SET image = NULL FROM keys k WHERE u.id = k.id
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM cleared), 0, NULL INTO m, bad, examples;
  n := cardinality(ids);
END
$$;
