-- EXPLAIN of a prepared statement of this session, as the plan cache would run it: under
-- plan_cache_mode = force_generic_plan, the generic plan a prepared statement settles on after
-- five runs; under force_custom_plan, the plan for these very values. PostgreSQL 15 has no
-- EXPLAIN (GENERIC_PLAN), and EXPLAIN EXECUTE takes no bind parameters, so this temporary
-- function quotes the arguments server-side (quote_nullable) and runs the EXPLAIN itself.
-- Arguments are text; EXECUTE casts them to the statement's parameter types.
CREATE OR REPLACE FUNCTION pg_temp.explain_prepared(stmt text, args text[])
RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE %I(%s)', stmt,
                 (SELECT string_agg(quote_nullable(a), ', ' ORDER BY i)
                    FROM unnest(args) WITH ORDINALITY AS t (a, i)))
     INTO plan;
  RETURN plan;
END
$$;
