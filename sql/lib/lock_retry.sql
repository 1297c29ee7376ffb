-- image_ref_lock: take table locks in short attempts, retried with backoff, in the calling
-- transaction (GitLab's with_lock_retries, in SQL, so the stock node-pg-migrate CLI gets it too).
--
-- Why: a lock request that waits puts every later query on the table in the queue behind it.
-- One long attempt (lock_timeout 3 s) stalled app reads for that long behind a single old
-- transaction. An attempt of :lock_attempt_ms (MIGRATE_LOCK_ATTEMPT_MS) bounds what any app
-- statement can wait behind the pack; between attempts the app runs. The attempt must stay below
-- deadlock_timeout (1 s by default): then a cycle with an app transaction ends by our attempt
-- timing out and releasing everything it took, and the app never sees a deadlock error.
--
-- Autovacuum: a vacuum of a table holds SHARE UPDATE EXCLUSIVE, for minutes on a big table
-- (after 06 has rewritten millions of rows, one is all but certain), and the server cancels it
-- for a waiting lock request only once that request has waited deadlock_timeout, which short
-- attempts never do: at 10M posts, 07 failed after 60 s of attempts held off by two autovacuum
-- workers. So each table is first locked in SHARE UPDATE EXCLUSIVE with a wait of deadlock_timeout
-- plus one attempt: no app read or write conflicts with that mode, so none queues behind the
-- request; a blocking autovacuum is cancelled (not one that prevents wraparound), and none starts
-- on the table while the step holds it. Then the step's own mode, in short attempts.
--
-- All tables are locked inside one subtransaction, each with its share of the attempt as its lock
-- timeout: a failed attempt releases every lock it took, and no table is held for longer than
-- one attempt while the others are waited for. An app statement waits at most one attempt.
-- Gives up after p_total_ms (MIGRATE_LOCK_WAIT_MS) with SQLSTATE 55P03, naming the sessions
-- that held the tables. Created (or replaced) by each step that needs it; 01's down drops it.
CREATE OR REPLACE FUNCTION image_ref_lock(p_tables text, p_mode text, p_attempt_ms integer, p_total_ms integer)
RETURNS void
LANGUAGE plpgsql
-- The migrating session's search_path (node-pg-migrate sets it to --schema): p_tables resolve there.
SET search_path FROM CURRENT
AS $$
DECLARE
  started  timestamptz := clock_timestamp();
  attempts integer := 0;
  holders  text;
  tables   text[] := string_to_array(replace(p_tables, ' ', ''), ',');
  t        text;
  m        text;
  wait_ms  integer;
BEGIN
  IF upper(p_mode) NOT IN ('ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE') THEN
    RAISE EXCEPTION 'image_ref_lock: unexpected lock mode %', p_mode;
  END IF;
  FOREACH m IN ARRAY CASE WHEN upper(p_mode) = 'SHARE UPDATE EXCLUSIVE' THEN ARRAY[upper(p_mode)]
                           ELSE ARRAY['SHARE UPDATE EXCLUSIVE', upper(p_mode)] END LOOP
    wait_ms := CASE WHEN m = 'SHARE UPDATE EXCLUSIVE'
                    THEN extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000 + p_attempt_ms
                    ELSE greatest(1, p_attempt_ms / cardinality(tables)) END;
    PERFORM set_config('lock_timeout', wait_ms || 'ms', true);
    LOOP
      BEGIN
        FOREACH t IN ARRAY tables LOOP
          EXECUTE format('LOCK TABLE %s IN %s MODE', t, m);
        END LOOP;
        EXIT;
      EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
        attempts := attempts + 1;
      END;
      IF clock_timestamp() - started >= p_total_ms * interval '1 millisecond' THEN
        SELECT string_agg(DISTINCT format('pid %s (%s, %s s in its transaction)', a.pid,
                            CASE WHEN a.backend_type = 'autovacuum worker' THEN a.query ELSE a.state END,
                            round(extract(epoch FROM clock_timestamp() - a.xact_start))), ', ')
          INTO holders
          FROM pg_locks l
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.granted AND l.pid <> pg_backend_pid()
           AND l.relation IN (SELECT c.oid FROM pg_class c
                               WHERE c.oid = ANY (tables::regclass[]));
        RAISE EXCEPTION 'could not lock % in % mode: % attempts of % ms over % s; held by %',
          p_tables, p_mode, attempts, p_attempt_ms, round(p_total_ms / 1000.0, 1), coalesce(holders, 'no session now')
          USING ERRCODE = 'lock_not_available',
                HINT = 'Nothing of this step was changed. Run it again when those transactions end (make migrate retries), or raise MIGRATE_LOCK_WAIT_MS.';
      END IF;
      -- Exponential backoff with full jitter, capped at 2 s: the app gets the table between tries.
      PERFORM pg_sleep(random() * least(2000, p_attempt_ms * 2 ^ least(attempts, 5)) / 1000.0);
    END LOOP;
  END LOOP;
  -- Transaction-local: stays for the DDL that follows, which then never waits long either.
  PERFORM set_config('lock_timeout', greatest(1, p_attempt_ms / cardinality(tables)) || 'ms', true);
END
$$;
