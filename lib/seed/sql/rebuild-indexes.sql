-- The seeder's fast load, step 2 of 3 (see defer-indexes.sql): the primary keys, unique
-- constraints and indexes, built once each from the loaded rows (a sort, not millions of random
-- inserts), with the names and definitions they had.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT ddl FROM seed_deferred_ddl WHERE ord IN (1, 2) ORDER BY ord, name LOOP
    EXECUTE r.ddl;
  END LOOP;
END
$$;
