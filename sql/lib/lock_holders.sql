-- Who holds or waits for locks on the pack's tables in schema $1 (the one it migrates), and on
-- node-pg-migrate's pgmigrations there: named after a lock timeout or a deadlock, so the DBA
-- sees what the migration waited on. Read-only.
SELECT a.pid,
       string_agg(DISTINCT format('%s %s%s', c.relname, l.mode, CASE WHEN l.granted THEN '' ELSE ' (waiting)' END), ', ') AS locks,
       a.state,
       round(extract(epoch FROM now() - coalesce(a.xact_start, a.query_start)))::int AS xact_seconds,
       left(regexp_replace(a.query, '\s+', ' ', 'g'), 80) AS query
  FROM pg_locks l
  JOIN pg_class c ON c.oid = l.relation
  JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND c.relnamespace = to_regnamespace(quote_ident($1::text))
   AND c.relname IN ('posts', 'user', 'storage', 'pgmigrations')
   AND a.pid <> pg_backend_pid()
 GROUP BY a.pid, a.state, a.xact_start, a.query_start, a.query
 ORDER BY xact_seconds DESC NULLS LAST
 LIMIT 5;
