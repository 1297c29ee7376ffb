-- The backfill: fills posts.image_id and "user".image_id from the old keys, by the mapping rule
-- (image_ref_post_storage_id / image_ref_user_storage_id, created by the transition step). It
-- also repairs an image_id that disagrees with its row's key, or names a storage row that is
-- gone: what old-app writes leave behind while the triggers were rolled back (down to 03 or 04,
-- then up again). Its writes set image_id from the key and leave the key as it is; they tell
-- the sync trigger so (image_ref.writer = backfill, for the batch's transaction only).
--
-- A batch that meets a concurrent write is retried, halved, with backoff, for up to
-- MIGRATE_LOCK_WAIT_MS (sql/batches.sql): a row an app transaction holds, a storage row lock held
-- longer than one lock attempt (lock_timeout), a deadlock, a file moved or deleted between the
-- lookup and its lock (the row then re-resolves without it; its key stays), or a row an app
-- changed between the batch's snapshot and its lock.
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
-- The batches are run by sql/batches.sql (the page walk, commits, retries, progress). The CALL
-- must be sent alone, outside a transaction block, for the COMMITs to work:
--   psql "$DATABASE_URL" -f sql/batches.sql -f sql/backfill.sql
--   psql "$DATABASE_URL" -c "CALL image_ref_batches('posts', 'backfill', 1000, 0, 100, 60000, 10000)"   -- progress as NOTICEs
--
-- batch_size (BACKFILL_BATCH_SIZE): at most about this many rows per transaction (turned into
-- pages by the table's rows per page); target_ms shrinks it under load. Larger batches hold row
-- locks longer; smaller ones pay more commits (figures in the README).
-- pause_ms: sleep between batches, to leave room for replicas or a busy primary.

-- One batch of posts (pages [lo_tid, hi_tid), from sql/batches.sql): the rows whose image_id
-- is not what the rule gives for their key (NULL, or disagreeing with the key, or naming a
-- storage row that is gone or of another organization). n: rows on those pages; m: rows written. bad, examples: unused.
--
-- One statement: the rows are found, locked, resolved and written in one pass over the batch's
-- pages, and written back by TID (the reference's shape, bench/sql/backfill_reference_batched.sql).
-- Measured against a lock statement followed by a resolve and an UPDATE by primary key: two index
-- probes per row and a statement per batch less (figures in the README).
CREATE OR REPLACE PROCEDURE image_ref_backfill_posts(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  to_write bigint;
  moved    bigint;
BEGIN
  -- cand: the rows to write, locked NOWAIT: a batch never waits for a row an app transaction
  -- holds while it holds others (app writes, and storage deletes cascading into them, would
  -- queue behind it); it fails at once and sql/batches.sql retries it, smaller.
  -- locked: each file a row is about to show, locked FOR KEY SHARE (the lock the foreign key's
  -- check takes), which returns its latest version: a file moved to another organization since
  -- the lookup, or deleted, no longer matches its row, and the batch is retried
  -- (foreign_key_violation, as the organization trigger raises; the retry resolves the row
  -- again). That is the organization trigger's check, made here for the whole batch at once, so
  -- the trigger leaves the backfill's own writes alone (migrations/04_expand-foreign-keys/deploy.sql).
  -- A move of the file waits for this lock and then sees the batch's posts, as it waits for a
  -- post the app writes. (The files by id = ANY: a primary-key probe each, whatever the estimates.)
  -- upd: by TID, in the statement's snapshot. A row an app transaction changed and committed
  -- after that snapshot is locked in its latest version (and rechecked) but that version is not
  -- visible to the UPDATE: it is left out, counted, and the batch retried (serialization_failure),
  -- in a new snapshot. (The app's write went through the sync trigger, so this is rare and only
  -- for a repair: a NULL image_id with a mappable key is resolved by the trigger itself.)
  WITH cand AS MATERIALIZED (
    SELECT p.ctid AS tid, p.organization_id, p.image_id,
           image_ref_post_storage_id(p.organization_id, p.image_key) AS storage_id
      FROM posts p
      LEFT JOIN storage s ON s.id = p.image_id
     WHERE p.ctid >= lo_tid AND p.ctid < hi_tid
       AND ((p.image_key IS NOT NULL AND p.image_id IS NULL)
            OR (p.image_id IS NOT NULL AND (s.file_key IS DISTINCT FROM p.image_key
                                           OR s.organization_id IS DISTINCT FROM p.organization_id)))
       FOR NO KEY UPDATE OF p NOWAIT
  ), locked AS MATERIALIZED (
    SELECT s.id, s.organization_id
      FROM storage s
     WHERE s.id = ANY (ARRAY(SELECT c.storage_id FROM cand c WHERE c.storage_id IS DISTINCT FROM c.image_id))
       FOR KEY SHARE
  ), upd AS (
    UPDATE posts p
       SET image_id = c.storage_id
      FROM cand c
     WHERE p.ctid = c.tid
       AND c.storage_id IS DISTINCT FROM c.image_id
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM posts p WHERE p.ctid >= lo_tid AND p.ctid < hi_tid),
         (SELECT count(*) FROM upd),
         (SELECT count(*) FROM cand c WHERE c.storage_id IS DISTINCT FROM c.image_id),
         (SELECT count(*)
            FROM cand c
           WHERE c.storage_id IS DISTINCT FROM c.image_id AND c.storage_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM locked k WHERE k.id = c.storage_id AND k.organization_id = c.organization_id))
    INTO n, m, to_write, moved;
  IF moved <> 0 THEN
    RAISE EXCEPTION 'backfill posts: the files of % rows changed organization or were deleted during the batch', moved
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'image_ref_same_organization';
  END IF;
  IF m <> to_write THEN
    RAISE EXCEPTION 'backfill posts: % rows changed between the batch''s snapshot and its lock', to_write - m
      USING ERRCODE = 'serialization_failure';
  END IF;
END
$$;

-- One batch of "user": as image_ref_backfill_posts, by the user rule (any organization).
CREATE OR REPLACE PROCEDURE image_ref_backfill_user(lo_tid tid, hi_tid tid, INOUT n bigint, INOUT m bigint, INOUT bad bigint, INOUT examples text)
LANGUAGE plpgsql
AS $$
DECLARE
  to_write bigint;
BEGIN
  WITH cand AS MATERIALIZED (
    SELECT u.ctid AS tid, u.image_id, image_ref_user_storage_id(u.image) AS storage_id
      FROM "user" u
      LEFT JOIN storage s ON s.id = u.image_id
     WHERE u.ctid >= lo_tid AND u.ctid < hi_tid
       AND ((u.image IS NOT NULL AND u.image_id IS NULL)
            OR (u.image_id IS NOT NULL AND s.file_key IS DISTINCT FROM u.image))
       FOR NO KEY UPDATE OF u NOWAIT
  ), upd AS (
    UPDATE "user" u
       SET image_id = c.storage_id
      FROM cand c
     WHERE u.ctid = c.tid
       AND c.storage_id IS DISTINCT FROM c.image_id
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM "user" u WHERE u.ctid >= lo_tid AND u.ctid < hi_tid),
         (SELECT count(*) FROM upd),
         (SELECT count(*) FROM cand c WHERE c.storage_id IS DISTINCT FROM c.image_id)
    INTO n, m, to_write;
  IF m <> to_write THEN
    RAISE EXCEPTION 'backfill user: % rows changed between the batch''s snapshot and its lock', to_write - m
      USING ERRCODE = 'serialization_failure';
  END IF;
END
$$;
