-- The backfill: fills posts.image_id and "user".image_id from the old keys, by the mapping rule
-- (image_ref_post_storage_id / image_ref_user_storage_id, created by the transition step).
--
-- Keyset batches over the primary key, each a set-based UPDATE ... FROM committed on its own,
-- so no long transaction holds row locks or holds back vacuum. Idempotent and resumable: it only
-- fills image_id where it is NULL and the key maps, so a rerun after a kill skips what is done.
-- Rows the app writes meanwhile are kept in sync by the transition triggers.
--
-- CALL must be sent alone, outside a transaction block, for the COMMITs to work:
--   psql "$DATABASE_URL" -f sql/backfill.sql
--   psql "$DATABASE_URL" -c "CALL image_ref_backfill('posts', 2500)"   -- progress as NOTICEs
--
-- batch_size: rows scanned per transaction. 2500 (the default) kept every batch under 250 ms at
-- 1M posts on 2 cores (slowest 220 ms); 5000 was 5 % faster overall but its slowest batch took
-- 518 ms. Larger batches hold row locks longer; smaller ones pay more commits.
-- pause_ms: sleep between batches, to leave room for replicas or a busy primary.

CREATE OR REPLACE PROCEDURE image_ref_backfill(tbl text, batch_size integer DEFAULT 2500, pause_ms integer DEFAULT 0)
LANGUAGE plpgsql
AS $$
DECLARE
  lo          text;            -- keyset position: last id of the previous batch
  first_batch boolean := true;
  hi          text;
  n           bigint;
  m           bigint;
  total       bigint;
  scanned     bigint := 0;
  mapped      bigint := 0;
  batches     integer := 0;
  started     timestamptz := clock_timestamp();
  last_note   timestamptz := clock_timestamp();
  t0          timestamptz;
  ms          numeric;
  slowest     numeric := 0;
BEGIN
  IF tbl NOT IN ('posts', 'user') THEN
    RAISE EXCEPTION 'image_ref_backfill: tbl must be posts or user, not %', quote_nullable(tbl);
  END IF;
  IF batch_size IS NULL OR batch_size < 1 OR pause_ms IS NULL OR pause_ms < 0 THEN
    RAISE EXCEPTION 'image_ref_backfill: batch_size must be >= 1 and pause_ms >= 0 (got %, %)', batch_size, pause_ms;
  END IF;

  IF tbl = 'posts' THEN
    SELECT count(*), min(id) INTO total, lo FROM posts;
  ELSE
    SELECT count(*), min(id) INTO total, lo FROM "user";
  END IF;

  WHILE lo IS NOT NULL LOOP
    t0 := clock_timestamp();
    IF tbl = 'posts' THEN
      WITH batch AS MATERIALIZED (
        SELECT p.id, p.organization_id, p.image_key
          FROM posts p
         WHERE p.id >= lo AND (first_batch OR p.id > lo)
         ORDER BY p.id
         LIMIT batch_size
      ), resolved AS MATERIALIZED (
        SELECT b.id, b.organization_id, b.image_key,
               image_ref_post_storage_id(b.organization_id, b.image_key) AS storage_id
          FROM batch b
         WHERE b.image_key IS NOT NULL
      ), upd AS (
        UPDATE posts p
           SET image_id = r.storage_id
          FROM resolved r
         WHERE p.id = r.id
           -- The batch's id range, so posts is reached by its primary key: without it the
           -- planner hash-joins the batch against a scan of the whole table.
           AND p.id >= lo AND p.id <= (SELECT max(b.id) FROM batch b)
           AND r.storage_id IS NOT NULL
           AND p.image_id IS NULL
           -- If an app write got to the row first, these are re-checked on its new version,
           -- so a key the app just changed is never overwritten with the old key's image.
           AND p.image_key = r.image_key
           AND p.organization_id = r.organization_id
        RETURNING 1
      )
      SELECT max(b.id), count(*), (SELECT count(*) FROM upd) INTO hi, n, m FROM batch b;
    ELSE
      WITH batch AS MATERIALIZED (
        SELECT u.id, u.image
          FROM "user" u
         WHERE u.id >= lo AND (first_batch OR u.id > lo)
         ORDER BY u.id
         LIMIT batch_size
      ), resolved AS MATERIALIZED (
        SELECT b.id, b.image, image_ref_user_storage_id(b.image) AS storage_id
          FROM batch b
         WHERE b.image IS NOT NULL
      ), upd AS (
        UPDATE "user" u
           SET image_id = r.storage_id
          FROM resolved r
         WHERE u.id = r.id
           AND u.id >= lo AND u.id <= (SELECT max(b.id) FROM batch b)
           AND r.storage_id IS NOT NULL
           AND u.image_id IS NULL
           AND u.image = r.image
        RETURNING 1
      )
      SELECT max(b.id), count(*), (SELECT count(*) FROM upd) INTO hi, n, m FROM batch b;
    END IF;
    COMMIT;
    EXIT WHEN n = 0;  -- the table's row count was a multiple of batch_size

    scanned := scanned + n;
    mapped  := mapped + m;
    batches := batches + 1;
    ms      := round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1);
    slowest := greatest(slowest, ms);
    EXIT WHEN n < batch_size;
    lo := hi;
    first_batch := false;

    IF clock_timestamp() - last_note >= interval '2 seconds' THEN
      RAISE NOTICE 'backfill %: % / % rows (% %%), % mapped, % rows/s, last batch % ms',
        tbl, scanned, total, round(100.0 * scanned / greatest(total, 1)), mapped,
        round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), ms;
      last_note := clock_timestamp();
    END IF;
    IF pause_ms > 0 THEN
      PERFORM pg_sleep(pause_ms / 1000.0);
    END IF;
  END LOOP;

  RAISE NOTICE 'backfill %: done, % rows scanned, % mapped, % batches of % in % s (% rows/s), slowest batch % ms',
    tbl, scanned, mapped, batches, batch_size,
    round(extract(epoch FROM clock_timestamp() - started)::numeric, 2),
    round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), slowest;
END
$$;
