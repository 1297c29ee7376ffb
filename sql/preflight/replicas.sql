-- Preflight: the physical standbys streaming from this server, as the batches' lag ceiling
-- (BACKFILL_MAX_LAG_MS, image_ref_await_replicas in sql/batches.sql) sees them. To a role
-- without pg_monitor (pg_read_all_stats), pg_stat_replication shows each sender's pid and
-- nothing else: hidden counts those, whose lag the ceiling cannot see. Logical subscribers
-- (senders on a logical slot) are left out, as the ceiling leaves them out.
SELECT count(*)::int                                                   AS replicas,
       count(*) FILTER (WHERE r.state IS NULL)::int                    AS hidden,
       coalesce(array_agg(r.application_name ORDER BY r.application_name)
                  FILTER (WHERE r.state IS NOT NULL), '{}')            AS names,
       round(max(extract(epoch FROM r.replay_lag) * 1000))::bigint     AS replay_lag_ms
  FROM pg_stat_replication r
  LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
 WHERE coalesce(s.slot_type, 'physical') = 'physical';
