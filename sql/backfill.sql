-- The backfill: fills posts.image_id and "user".image_id from the old keys, by the mapping rule
-- (image_ref_post_storage_id / image_ref_user_storage_id, created by the transition step).
--
-- Batches of consecutive heap pages (a TID range scan: the table is read in physical order),
-- each a set-based UPDATE ... FROM committed on its own, so no long transaction holds row locks
-- or holds back vacuum. At 1M posts this ran 1.4x faster than batches walked by primary key,
-- whose random ids scatter each batch over the whole heap. Idempotent and resumable: it only
-- fills image_id where it is NULL and the key maps, so a rerun after a kill skips what is done.
--
-- It walks the pages the table had when it started. A row version written since then (an
-- insert, or an update that moved a row) went through the transition trigger, which resolves
-- image_id on every write of a row that has a key and no image_id: the pass cannot miss it.
-- (Something that rewrites the table without triggers, VACUUM FULL or pg_repack, can; the
-- contract's check catches that, and a rerun of the backfill fixes it.)
--
-- CALL must be sent alone, outside a transaction block, for the COMMITs to work:
--   psql "$DATABASE_URL" -f sql/backfill.sql
--   psql "$DATABASE_URL" -c "CALL image_ref_backfill('posts', 2500)"   -- progress as NOTICEs
--
-- batch_size: about this many rows per transaction (turned into pages by the table's rows per
-- page). 2500, the default: 1M posts in 26.0 s on 2 cores, batches of 64 ms on average, the
-- slowest 145 ms. 5000 took 23.4 s with batches twice as long. Larger batches hold row locks
-- longer; smaller ones pay more commits.
-- pause_ms: sleep between batches, to leave room for replicas or a busy primary.

CREATE OR REPLACE PROCEDURE image_ref_backfill(tbl text, batch_size integer DEFAULT 2500, pause_ms integer DEFAULT 0)
LANGUAGE plpgsql
AS $$
DECLARE
  rel        regclass;
  nblocks    bigint;          -- the table's pages when the pass started
  pages      integer;         -- pages per batch: about batch_size rows
  blk        bigint := 0;
  lo_tid     tid;
  hi_tid     tid;
  n          bigint;
  m          bigint;
  total      bigint;
  scanned    bigint := 0;
  mapped     bigint := 0;
  batches    integer := 0;
  started    timestamptz := clock_timestamp();
  last_note  timestamptz := clock_timestamp();
  t0         timestamptz;
  ms         numeric;
  slowest    numeric := 0;
BEGIN
  IF tbl NOT IN ('posts', 'user') THEN
    RAISE EXCEPTION 'image_ref_backfill: tbl must be posts or user, not %', quote_nullable(tbl);
  END IF;
  IF batch_size IS NULL OR batch_size < 1 OR pause_ms IS NULL OR pause_ms < 0 THEN
    RAISE EXCEPTION 'image_ref_backfill: batch_size must be >= 1 and pause_ms >= 0 (got %, %)', batch_size, pause_ms;
  END IF;

  rel := CASE tbl WHEN 'posts' THEN 'posts'::regclass ELSE '"user"'::regclass END;
  nblocks := pg_relation_size(rel) / current_setting('block_size')::int;
  -- Rows per page from the planner's statistics (50 when the table was never analyzed).
  SELECT greatest(1, floor(batch_size / CASE WHEN c.relpages > 0 AND c.reltuples > 0
                                             THEN c.reltuples / c.relpages ELSE 50 END))::int
    INTO pages
    FROM pg_class c WHERE c.oid = rel;
  IF tbl = 'posts' THEN
    SELECT count(*) INTO total FROM posts;
  ELSE
    SELECT count(*) INTO total FROM "user";
  END IF;

  WHILE blk < nblocks LOOP
    t0 := clock_timestamp();
    lo_tid := format('(%s,0)', blk)::tid;
    hi_tid := format('(%s,0)', blk + pages)::tid;
    IF tbl = 'posts' THEN
      WITH batch AS MATERIALIZED (
        SELECT p.id, p.organization_id, p.image_key, p.image_id
          FROM posts p
         WHERE p.ctid >= lo_tid AND p.ctid < hi_tid
      ), resolved AS MATERIALIZED (
        SELECT b.id, b.organization_id, b.image_key,
               image_ref_post_storage_id(b.organization_id, b.image_key) AS storage_id
          FROM batch b
         WHERE b.image_key IS NOT NULL AND b.image_id IS NULL
      ), upd AS (
        UPDATE posts p
           SET image_id = r.storage_id
          FROM resolved r
         WHERE p.ctid >= lo_tid AND p.ctid < hi_tid
           AND p.id = r.id
           AND r.storage_id IS NOT NULL
           AND p.image_id IS NULL
           -- If an app write got to the row first, these are re-checked on its new version,
           -- so a key the app just changed is never overwritten with the old key's image.
           AND p.image_key = r.image_key
           AND p.organization_id = r.organization_id
        RETURNING 1
      )
      SELECT count(*), (SELECT count(*) FROM upd) INTO n, m FROM batch;
    ELSE
      WITH batch AS MATERIALIZED (
        SELECT u.id, u.image, u.image_id
          FROM "user" u
         WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
      ), resolved AS MATERIALIZED (
        SELECT b.id, b.image, image_ref_user_storage_id(b.image) AS storage_id
          FROM batch b
         WHERE b.image IS NOT NULL AND b.image_id IS NULL
      ), upd AS (
        UPDATE "user" u
           SET image_id = r.storage_id
          FROM resolved r
         WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
           AND u.id = r.id
           AND r.storage_id IS NOT NULL
           AND u.image_id IS NULL
           AND u.image = r.image
        RETURNING 1
      )
      SELECT count(*), (SELECT count(*) FROM upd) INTO n, m FROM batch;
    END IF;
    COMMIT;

    blk     := blk + pages;
    scanned := scanned + n;
    mapped  := mapped + m;
    batches := batches + 1;
    ms      := round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1);
    slowest := greatest(slowest, ms);

    IF clock_timestamp() - last_note >= interval '2 seconds' THEN
      RAISE NOTICE 'backfill %: % / % rows (% %%), % mapped, % rows/s, last batch % ms',
        tbl, scanned, total, round(100.0 * least(blk, nblocks) / greatest(nblocks, 1)), mapped,
        round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), ms;
      last_note := clock_timestamp();
    END IF;
    IF pause_ms > 0 AND blk < nblocks THEN
      PERFORM pg_sleep(pause_ms / 1000.0);
    END IF;
  END LOOP;

  RAISE NOTICE 'backfill %: done, % rows scanned, % mapped, % batches of % pages (about % rows) in % s (% rows/s), slowest batch % ms',
    tbl, scanned, mapped, batches, pages, batch_size,
    round(extract(epoch FROM clock_timestamp() - started)::numeric, 2),
    round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), slowest;
END
$$;
