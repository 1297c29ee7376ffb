-- Migrations renamed after release: a database that applied one under its old name records the
-- new name, so node-pg-migrate's order check (which compares names) accepts it. In the current
-- schema (node-pg-migrate's --schema; `make migrate` sets the search_path to MIGRATE_SCHEMA
-- first). Idempotent. Writes only when an old name is there: a plain read otherwise, so it never
-- waits for a session that holds pgmigrations. With the stock CLI, run it once before up or down:
--   psql "$DATABASE_URL" -c 'SET search_path TO public' -f sql/lib/renamed_migrations.sql
DO $renamed$
DECLARE
  r record;
BEGIN
  IF to_regclass('pgmigrations') IS NULL THEN
    RETURN;
  END IF;
  FOR r IN SELECT * FROM (VALUES ('03_index-image-id', '03_expand-image-id-indexes')) AS v (old_name, new_name) LOOP
    IF EXISTS (SELECT 1 FROM pgmigrations WHERE name = r.old_name) THEN
      UPDATE pgmigrations SET name = r.new_name WHERE name = r.old_name;
    END IF;
  END LOOP;
END
$renamed$;
