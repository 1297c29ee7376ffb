-- The contracts' downs: fill the re-added old column (posts.image_key, "user".image) back in,
-- in keyset batches that each commit on their own, so a rollback never holds the table locked
-- for a full rewrite. A mapped row gets its storage row's file_key (the contract proved them
-- equal); an unmapped one gets its archived value.
--
-- Only rows whose old column is still NULL are filled: the sync trigger is attached before
-- this runs, so anything the app wrote meanwhile is already right and wins. The calling session
-- sets image_ref.restoring = on, which makes the sync trigger stand aside for these UPDATEs
-- (they set the key from image_id, consistently; re-resolving it could move a row off a
-- duplicate storage row the app chose). Idempotent and resumable, like the backfill.
--
-- CALL must be sent alone, outside a transaction block, for the COMMITs to work.

CREATE OR REPLACE PROCEDURE image_ref_restore(tbl text, batch_size integer DEFAULT 2500)
LANGUAGE plpgsql
AS $$
DECLARE
  lo          text;
  first_batch boolean := true;
  hi          text;
  n           bigint;
  m           bigint;
  scanned     bigint := 0;
  restored    bigint := 0;
  batches     integer := 0;
  started     timestamptz := clock_timestamp();
BEGIN
  IF tbl NOT IN ('posts', 'user') THEN
    RAISE EXCEPTION 'image_ref_restore: tbl must be posts or user, not %', quote_nullable(tbl);
  END IF;
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'image_ref_restore: batch_size must be >= 1 (got %)', batch_size;
  END IF;
  IF current_setting('image_ref.restoring', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'image_ref_restore: SET image_ref.restoring = on first, so the sync trigger stands aside';
  END IF;

  -- The archive is dropped right after a finished restore: a rerun then has nothing to do.
  IF to_regclass(CASE tbl WHEN 'posts' THEN 'posts_image_key_archive' ELSE 'user_image_archive' END) IS NULL THEN
    RAISE NOTICE 'restore %: already done (no archive table)', tbl;
    RETURN;
  END IF;

  IF tbl = 'posts' THEN
    SELECT min(id) INTO lo FROM posts;
  ELSE
    SELECT min(id) INTO lo FROM "user";
  END IF;

  WHILE lo IS NOT NULL LOOP
    IF tbl = 'posts' THEN
      WITH batch AS MATERIALIZED (
        SELECT p.id, p.image_id
          FROM posts p
         WHERE p.id >= lo AND (first_batch OR p.id > lo)
         ORDER BY p.id
         LIMIT batch_size
      ), val AS MATERIALIZED (
        SELECT b.id, b.image_id, coalesce(s.file_key, a.image_key) AS image_key
          FROM batch b
          LEFT JOIN storage s ON s.id = b.image_id
          LEFT JOIN posts_image_key_archive a ON a.post_id = b.id AND b.image_id IS NULL
      ), upd AS (
        UPDATE posts p
           SET image_key = v.image_key
          FROM val v
         WHERE p.id = v.id
           -- The batch's id range, so posts is reached by its primary key (see sql/backfill.sql).
           AND p.id >= lo AND p.id <= (SELECT max(b.id) FROM batch b)
           AND v.image_key IS NOT NULL
           AND p.image_key IS NULL
           -- re-checked on the row's latest version if an app write got there first
           AND p.image_id IS NOT DISTINCT FROM v.image_id
        RETURNING 1
      )
      SELECT max(b.id), count(*), (SELECT count(*) FROM upd) INTO hi, n, m FROM batch b;
    ELSE
      WITH batch AS MATERIALIZED (
        SELECT u.id, u.image_id
          FROM "user" u
         WHERE u.id >= lo AND (first_batch OR u.id > lo)
         ORDER BY u.id
         LIMIT batch_size
      ), val AS MATERIALIZED (
        SELECT b.id, b.image_id, coalesce(s.file_key, a.image) AS image
          FROM batch b
          LEFT JOIN storage s ON s.id = b.image_id
          LEFT JOIN user_image_archive a ON a.user_id = b.id AND b.image_id IS NULL
      ), upd AS (
        UPDATE "user" u
           SET image = v.image
          FROM val v
         WHERE u.id = v.id
           AND u.id >= lo AND u.id <= (SELECT max(b.id) FROM batch b)
           AND v.image IS NOT NULL
           AND u.image IS NULL
           AND u.image_id IS NOT DISTINCT FROM v.image_id
        RETURNING 1
      )
      SELECT max(b.id), count(*), (SELECT count(*) FROM upd) INTO hi, n, m FROM batch b;
    END IF;
    COMMIT;
    EXIT WHEN n = 0;
    scanned  := scanned + n;
    restored := restored + m;
    batches  := batches + 1;
    EXIT WHEN n < batch_size;
    lo := hi;
    first_batch := false;
  END LOOP;

  RAISE NOTICE 'restore %: done, % rows scanned, % restored, % batches of % in % s',
    tbl, scanned, restored, batches, batch_size, round(extract(epoch FROM clock_timestamp() - started)::numeric, 2);
END
$$;
