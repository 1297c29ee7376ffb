-- image_ref_batches: the one page walk behind the pack's batched work on posts and "user":
-- the backfill (06, sql/backfill.sql), the contract's archive pass (08/09, sql/archive.sql), the
-- user contract's clear pass (09, sql/archive.sql) and the contract's restore (downs of 08/09,
-- sql/restore.sql).
--
-- It walks the table's heap pages in physical order, a run of pages a batch (a TID range scan,
-- about batch_size rows by the planner's rows per page), and commits after every batch, so no
-- long transaction holds row locks or holds back vacuum. At 1M posts this ran 1.4x faster than
-- batches walked by primary key, whose random ids scatter each batch over the whole heap. It
-- walks the pages the table had when it started: a row written since then went through the sync
-- trigger, which leaves it in the state the batch would have.
--
-- A batch that meets a concurrent write is retried, halved, with backoff, for up to wait_ms
-- (MIGRATE_LOCK_WAIT_MS, as a step's table locks): a row lock an app transaction holds (the
-- batches lock their rows NOWAIT), a storage row lock held longer than lock_timeout (the foreign
-- key's check), a deadlock, a storage row deleted between the batch's lookup and the check, or
-- a row an app changed between the backfill's snapshot and its lock (serialization_failure,
-- sql/backfill.sql). Each batch tells the sync trigger it is the pack's own write
-- (image_ref.writer, for that transaction only).
--
-- Batch size adapts to a target duration (target_ms; 0 keeps batch_size fixed), as GitLab's
-- batched background migrations do: a batch holds its rows' locks for its whole length, and app
-- writes to those rows wait for it, so on a busy server the batches shrink, and grow back when
-- it calms down, each step at most doubling or halving, never past batch_size (pages are not
-- rows: a run of pages that were cheap can be followed by dense ones).
--
-- The app's waits, measured: an app statement that waits for a batch's row lock (or a storage
-- delete for the foreign key's share lock) waits until the batch is over, so a look at pg_locks
-- at the end of each batch sees every one of them (but those that gave up on a timeout, and
-- those queued behind another waiter), with how long each has waited (pg_locks.waitstart). When any did, the next batch is halved, whatever
-- its duration (target_ms > 0), and the final NOTICE counts them. The batch's duration stays the
-- bound: no app statement waits longer behind a batch than the batch lasts.
--
-- Replicas (max_lag_ms, BACKFILL_MAX_LAG_MS; 0: off): between batches it waits while a physical
-- standby is more than max_lag_ms behind (image_ref_await_replicas below), up to wait_ms.
--
-- Progress: a NOTICE every 2 s and one at the end (psql and make migrate print them), and one for
-- each of the first 20 batches over 2.5 x target_ms, with the time it ended.
-- Must be CALLed alone, outside a transaction block, for the COMMITs to work.
CREATE OR REPLACE PROCEDURE image_ref_batches(tbl text, action text, batch_size integer, pause_ms integer, target_ms integer, wait_ms integer, max_lag_ms integer DEFAULT 0)
LANGUAGE plpgsql
AS $$
DECLARE
  rel        regclass;
  nblocks    bigint;          -- the table's pages when the pass started
  pages      integer;         -- pages per batch: about batch_size rows to start with
  max_pages  integer;
  blk        bigint := 0;
  lo_tid     tid;
  hi_tid     tid;
  n          bigint;
  m          bigint;
  bad        bigint;
  examples   text;
  total      bigint;
  scanned    bigint := 0;
  written    bigint := 0;
  bad_rows   bigint := 0;
  bad_ids    text := '';
  batches    integer := 0;
  retries    integer := 0;
  tries      integer;
  started    timestamptz := clock_timestamp();
  last_note  timestamptz := clock_timestamp();
  t0         timestamptz;
  ms         numeric;
  slowest    numeric := 0;
  slow_noted integer := 0;    -- slow batches named so far (the first 20 only)
  waiters    integer;         -- app sessions waiting on this batch's locks, just before its COMMIT
  app_waited numeric;         -- the longest of their waits so far, ms
  app_waits  bigint := 0;
  app_batches integer := 0;
  app_longest numeric := 0;
  lag_lsns   pg_lsn[] := '{}';        -- the batches' commits the replicas may not have replayed
  lag_ats    timestamptz[] := '{}';
  lag_warned boolean := false;
  lag_on     boolean := max_lag_ms > 0;
  lag_waited numeric := 0;
BEGIN
  IF tbl NOT IN ('posts', 'user') OR action NOT IN ('backfill', 'archive', 'restore', 'clear')
     OR (action = 'clear' AND tbl <> 'user') THEN
    RAISE EXCEPTION 'image_ref_batches: tbl must be posts or user and action backfill, archive, restore or clear (user only) (got %, %)',
      quote_nullable(tbl), quote_nullable(action);
  END IF;
  IF batch_size IS NULL OR batch_size < 1 OR pause_ms IS NULL OR pause_ms < 0 OR target_ms IS NULL OR target_ms < 0 OR wait_ms IS NULL OR wait_ms < 0
     OR max_lag_ms IS NULL OR max_lag_ms < 0 THEN
    RAISE EXCEPTION 'image_ref_batches: batch_size must be >= 1, pause_ms, target_ms, wait_ms and max_lag_ms >= 0 (got %, %, %, %, %)', batch_size, pause_ms, target_ms, wait_ms, max_lag_ms;
  END IF;

  rel := CASE tbl WHEN 'posts' THEN 'posts'::regclass ELSE '"user"'::regclass END;
  -- 09 rerun after its sync trigger was detached (its clear pass was interrupted): the archive
  -- pass is behind it, and its check would take the app's writes since for bad rows.
  IF action = 'archive' AND tbl = 'user'
     AND EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = 'image_ref_archive_settle_image')
     AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = 'image_ref_sync') THEN
    RAISE NOTICE 'archive user: skipped, the sync trigger is detached already (a rerun of 09)';
    RETURN;
  END IF;
  nblocks := pg_relation_size(rel) / current_setting('block_size')::int;
  -- Rows per page from the planner's statistics (50 when the table was never analyzed).
  SELECT greatest(1, floor(batch_size / CASE WHEN c.relpages > 0 AND c.reltuples > 0
                                             THEN c.reltuples / c.relpages ELSE 50 END))::int
    INTO pages
    FROM pg_class c WHERE c.oid = rel;
  max_pages := pages;
  SELECT greatest(c.reltuples, 0)::bigint INTO total FROM pg_class c WHERE c.oid = rel;

  WHILE blk < nblocks LOOP
    t0 := clock_timestamp();
    tries := 0;
    IF lag_on THEN
      -- The commit asks the standbys to report as soon as they have replayed it (remote_apply's
      -- feedback flag), so their replay_lsn is current even when nothing else writes. With no
      -- synchronous standby named, remote_apply waits for nothing; with one, the commit keeps
      -- the server's own setting.
      IF current_setting('synchronous_standby_names') = '' THEN
        PERFORM set_config('synchronous_commit', 'remote_apply', true);
      END IF;
    END IF;
    LOOP
      BEGIN
        PERFORM set_config('image_ref.writer', action, true);
        n := 0; m := 0; bad := 0; examples := NULL;
        -- The batch's pages as a TID range, [lo_tid, hi_tid): a TID range scan reads just those.
        lo_tid := format('(%s,0)', blk)::tid;
        hi_tid := format('(%s,0)', blk + pages)::tid;
        CASE action || ' ' || tbl
          WHEN 'backfill posts' THEN CALL image_ref_backfill_posts(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'backfill user'  THEN CALL image_ref_backfill_user(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'archive posts'  THEN CALL image_ref_archive_posts(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'archive user'   THEN CALL image_ref_archive_user(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'restore posts'  THEN CALL image_ref_restore_posts(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'restore user'   THEN CALL image_ref_restore_user(lo_tid, hi_tid, n, m, bad, examples);
          WHEN 'clear user'     THEN CALL image_ref_clear_user(lo_tid, hi_tid, n, m, bad, examples);
        END CASE;
        -- Who waits on this batch, and since when: here, inside the batch's subtransaction. Once
        -- it ends, its waiters wake up and wait again on the transaction, with a new waitstart.
        SELECT count(*), coalesce(max(extract(epoch FROM clock_timestamp() - l.waitstart) * 1000), 0)
          INTO waiters, app_waited
          FROM pg_locks l
         WHERE NOT l.granted AND pg_backend_pid() = ANY (pg_blocking_pids(l.pid));
        EXIT;
      EXCEPTION WHEN lock_not_available OR deadlock_detected OR foreign_key_violation OR serialization_failure THEN
        tries := tries + 1;
        IF clock_timestamp() - t0 >= wait_ms * interval '1 millisecond' THEN
          RAISE EXCEPTION '% %: a batch (pages % to %) kept meeting rows other transactions hold, for % ms (% tries; last: %)',
            action, tbl, blk, blk + pages - 1, wait_ms, tries, SQLERRM
            USING ERRCODE = SQLSTATE,
                  HINT = 'Nothing of this batch was written; the batches before it are committed. Run it again (make migrate retries; a rerun resumes), or raise MIGRATE_LOCK_WAIT_MS.';
        END IF;
        -- A smaller batch meets fewer rows the app holds; the adaptation grows it back after.
        pages := greatest(1, pages / 2);
      END;
      -- Outside the exception block: the batch's subtransaction is gone, its locks released.
      PERFORM pg_sleep(random() * least(1000, 20 * 2 ^ least(tries, 6)) / 1000.0);
    END LOOP;
    COMMIT;

    retries  := retries + tries;
    blk      := blk + pages;
    scanned  := scanned + n;
    written  := written + m;
    bad_rows := bad_rows + bad;
    IF examples IS NOT NULL AND length(bad_ids) < 300 THEN
      bad_ids := bad_ids || CASE WHEN bad_ids = '' THEN '' ELSE ', ' END || examples;
    END IF;
    batches  := batches + 1;
    ms       := round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1);
    slowest  := greatest(slowest, ms);
    -- A batch far over its target gets a line of its own, with the time it ended, to set beside
    -- the server's log: a checkpoint, an autovacuum or a lock wait there explains it.
    IF target_ms > 0 AND ms > 2.5 * target_ms AND slow_noted < 20 THEN
      slow_noted := slow_noted + 1;
      RAISE NOTICE '% %: slow batch: pages % to %, % rows in % ms (target % ms, % tries), ended at %',
        action, tbl, blk - pages, blk - 1, n, ms, target_ms, tries + 1, to_char(clock_timestamp(), 'HH24:MI:SS.MS');
    END IF;
    IF waiters > 0 THEN
      app_waits   := app_waits + waiters;
      app_batches := app_batches + 1;
      app_longest := greatest(app_longest, round(app_waited, 1));
    END IF;
    IF target_ms > 0 AND waiters > 0 THEN
      pages := greatest(1, pages / 2);
    ELSIF target_ms > 0 AND tries = 0 THEN
      pages := greatest(1, least(max_pages, pages * 2, greatest(pages / 2, round(pages * target_ms / greatest(ms, 1))::int)));
    END IF;

    -- After the batch's own time is taken: a wait for replicas is no slow batch.
    IF lag_on THEN
      CALL image_ref_await_replicas(action || ' ' || tbl, max_lag_ms, wait_ms, lag_lsns, lag_ats, lag_warned, lag_waited);
    END IF;
    IF clock_timestamp() - last_note >= interval '2 seconds' THEN
      RAISE NOTICE '% %: % / ~% rows (% %%), % written, % rows/s, batch of % pages (~% rows), last batch % rows in % ms%',
        action, tbl, scanned, total, round(100.0 * least(blk, nblocks) / greatest(nblocks, 1)), written,
        round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), pages,
        round(pages * scanned / greatest(blk, 1)), n, ms,
        CASE WHEN waiters > 0 THEN format(', %s app session(s) waited on it (longest %s ms)', waiters, round(app_waited)) ELSE '' END;
      last_note := clock_timestamp();
    END IF;
    IF pause_ms > 0 AND blk < nblocks THEN
      PERFORM pg_sleep(pause_ms / 1000.0);
    END IF;
  END LOOP;

  RAISE NOTICE '% %: done, % rows scanned, % written, % batches (last % pages, started at about % rows) in % s (% rows/s), slowest batch % ms, % batch retries, % app waits behind % batches (longest % ms), % s waiting for replicas',
    action, tbl, scanned, written, batches, pages, batch_size,
    round(extract(epoch FROM clock_timestamp() - started)::numeric, 2),
    round(scanned / greatest(extract(epoch FROM clock_timestamp() - started), 0.001)), slowest, retries,
    app_waits, app_batches, app_longest, round(lag_waited / 1000, 1);

  IF bad_rows > 0 THEN
    -- Only the archive pass reports rows: the contract refuses. Its archive goes, so nothing
    -- the pass made is left (the sync trigger stops maintaining it with it).
    -- Under a lock that stops the table's writers for a moment, so no sync trigger is between
    -- seeing the archive and writing to it. One attempt (the session's lock_timeout): if it
    -- fails, the archive stays, harmless (a rerun reuses it; 05's down drops it).
    BEGIN
      EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', rel);
      EXECUTE format('DROP TABLE IF EXISTS %I', CASE tbl WHEN 'posts' THEN 'posts_image_key_archive' ELSE 'user_image_archive' END);
    EXCEPTION WHEN lock_not_available THEN
      NULL;
    END;
    COMMIT;
    RAISE EXCEPTION 'contract refused, nothing changed: % is not backfilled: % rows have a mappable key and no image_id, or a key that disagrees with image_id (%: %)',
      rel, bad_rows, tbl, left(bad_ids, 300) || CASE WHEN length(bad_ids) > 300 THEN ', ...' ELSE '' END
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Something wrote around the sync triggers. Run the backfill again (make backfill: it fills and repairs image_id from the keys), then run up again.';
  END IF;
END
$$;

-- image_ref_await_replicas: the lag ceiling, between two batches (image_ref_batches calls it
-- after each COMMIT when max_lag_ms > 0). While a physical standby streaming from this server
-- is more than max_lag_ms behind, it sleeps (50 ms, doubling, at most 1 s a time), with a NOTICE
-- every 2 s, for up to wait_ms (MIGRATE_LOCK_WAIT_MS) in one go; then it fails, one line: the
-- batches before are committed, a rerun resumes.
--
-- The lag is the batches' own: how long ago the oldest batch the slowest standby has not
-- replayed committed (each commit's LSN and time are kept in lsns/ats until replayed), or the
-- standby's replay_lag when that is more. replay_lag alone is no measure: it is computed only
-- when the standby reports, so a paused or stuck standby on a quiet primary shows the last
-- value (a few ms) for ever, and a caught-up one its last lag (seconds) until it next reports.
-- Logical subscribers are left out: they report their position on their own schedule.
--
-- pg_stat_replication shows a role without pg_monitor (pg_read_all_stats) nothing but the
-- sender's pid: then the ceiling cannot be enforced, and it says so once, as a WARNING (preflight
-- warns too, sql/preflight/replicas.sql).
CREATE OR REPLACE PROCEDURE image_ref_await_replicas(label text, max_lag_ms integer, wait_ms integer,
  INOUT lsns pg_lsn[], INOUT ats timestamptz[], INOUT warned boolean, INOUT waited_ms numeric)
LANGUAGE plpgsql
AS $$
DECLARE
  hidden    integer;
  replayed  pg_lsn;       -- the slowest visible standby's replay position
  slowest   text;
  view_lag  numeric;
  lag       numeric;
  since     timestamptz;
  last_note timestamptz;
  sleeps    integer := 0;
BEGIN
  lsns := lsns || pg_current_wal_lsn();
  ats  := ats || clock_timestamp();
  LOOP
    SELECT count(*) FILTER (WHERE r.state IS NULL),
           min(coalesce(r.replay_lsn, '0/0')) FILTER (WHERE r.state IN ('streaming', 'catchup')),
           (array_agg(r.application_name ORDER BY r.replay_lsn NULLS FIRST) FILTER (WHERE r.state IN ('streaming', 'catchup')))[1],
           max(extract(epoch FROM r.replay_lag) * 1000) FILTER (WHERE r.state IN ('streaming', 'catchup'))
      INTO hidden, replayed, slowest, view_lag
      FROM pg_stat_replication r
      LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
     WHERE coalesce(s.slot_type, 'physical') = 'physical';
    IF hidden > 0 AND NOT warned THEN
      RAISE WARNING '%: % replica(s) stream from this server, but role % cannot see their lag: the lag ceiling (% ms) is not enforced',
        label, hidden, current_user, max_lag_ms
        USING HINT = 'GRANT pg_monitor TO ' || quote_ident(current_user) || ' (README, Production checklist).';
      warned := true;
    END IF;
    IF replayed IS NULL THEN
      -- No standby whose position this role can see: nothing to wait for, nothing to keep.
      lsns := '{}';
      ats := '{}';
      EXIT;
    END IF;
    WHILE cardinality(lsns) > 0 AND lsns[1] <= replayed LOOP
      lsns := lsns[2:];
      ats  := ats[2:];
    END LOOP;
    lag := CASE WHEN cardinality(lsns) = 0 THEN 0
                ELSE greatest(extract(epoch FROM clock_timestamp() - ats[1]) * 1000, coalesce(view_lag, 0)) END;
    EXIT WHEN lag <= max_lag_ms;
    since := coalesce(since, clock_timestamp());
    IF clock_timestamp() - since >= wait_ms * interval '1 millisecond' THEN
      RAISE EXCEPTION '%: replica % stayed more than % ms behind for % ms (lag % ms, % of WAL not replayed)',
        label, slowest, max_lag_ms, wait_ms, round(lag), pg_size_pretty(pg_current_wal_lsn() - replayed)
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'The batches before are committed: run it again once the replica has caught up (a rerun resumes), or raise BACKFILL_MAX_LAG_MS or MIGRATE_LOCK_WAIT_MS (BACKFILL_MAX_LAG_MS=0: no ceiling).';
    END IF;
    IF last_note IS NULL OR clock_timestamp() - last_note >= interval '2 seconds' THEN
      RAISE NOTICE '%: waiting for replicas: lag % ms > ceiling % ms (replica %, % of WAL not replayed)',
        label, round(lag), max_lag_ms, slowest, pg_size_pretty(pg_current_wal_lsn() - replayed);
      last_note := clock_timestamp();
    END IF;
    PERFORM pg_sleep(least(1000, 50 * 2 ^ least(sleeps, 5)) / 1000.0);
    sleeps := sleeps + 1;
    -- Ends the CALL's transaction: without it, its snapshot held back vacuum for the whole wait
    -- (backend_xmin stayed put while other transactions committed); now only for one sleep.
    COMMIT;
  END LOOP;
  IF since IS NOT NULL THEN
    waited_ms := waited_ms + extract(epoch FROM clock_timestamp() - since) * 1000;
  END IF;
END
$$;
