-- The seeder's fast load, step 3 of 3 (see defer-indexes.sql): the foreign keys, as they were.
-- Adding a key checks every existing row with one anti-join, so a seeder bug that writes a
-- dangling reference fails the seed here, before COMMIT.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT ddl FROM seed_deferred_ddl WHERE ord = 3 ORDER BY name LOOP
    EXECUTE r.ddl;
  END LOOP;
END
$$;
