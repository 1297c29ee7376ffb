-- What the backfill (sql/backfill.sql) will walk: each table's pages, and its rows per page by
-- the planner's statistics (50 when never analyzed), from which it sizes its batches.
SELECT CASE c.oid WHEN '"user"'::regclass THEN 'user' ELSE 'posts' END AS tbl,
       pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
       CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 50 END AS rows_per_page
  FROM pg_class c
 WHERE c.oid IN ('posts'::regclass, '"user"'::regclass)
