-- EXPLAIN ANALYZE of a prepared statement of this session (the caller sets plan_cache_mode =
-- force_generic_plan, so it is the plan the app's prepared statement settles on), with BUFFERS:
-- the Heap Fetches of an Index Only Scan, and the shared buffers each node touched. Like
-- sql/lib/explain_prepared.sql, which has no ANALYZE (the plan guard only reads the shape).
CREATE OR REPLACE FUNCTION pg_temp.feed_index_explain_analyze(stmt text, args text[])
RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE format('EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) EXECUTE %I(%s)', stmt,
                 (SELECT string_agg(quote_nullable(a), ', ' ORDER BY i)
                    FROM unnest(args) WITH ORDINALITY AS t (a, i)))
     INTO plan;
  RETURN plan;
END
$$;
