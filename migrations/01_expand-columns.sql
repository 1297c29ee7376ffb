-- Expand, part 1: the new columns. Nullable, no default: a catalog-only change, instant on any
-- table size, but ALTER TABLE ADD COLUMN still takes ACCESS EXCLUSIVE for that instant.
-- Verify: sql/verify/01_expand-columns.sql

-- Up Migration

-- Stop before changing anything when this is not the app's database or the server is too old.
DO $$
DECLARE
  missing_tables  text;
  missing_columns text;
BEGIN
  IF current_setting('server_version_num')::int < 150000 THEN
    RAISE EXCEPTION 'the image_id pack needs PostgreSQL 15 or newer (it uses ON DELETE SET NULL (column)); this server runs %',
      current_setting('server_version')
      USING ERRCODE = 'feature_not_supported';
  END IF;

  WITH need (tbl, col) AS (
    VALUES ('organization', 'id'),
           ('user', 'id'), ('user', 'image'),
           ('storage', 'id'), ('storage', 'file_key'), ('storage', 'organization_id'), ('storage', 'created_at'),
           ('posts', 'id'), ('posts', 'organization_id'), ('posts', 'image_key')
  ), have AS (
    SELECT n.tbl, n.col,
           to_regclass(format('%I', n.tbl)) IS NOT NULL AS table_exists,
           EXISTS (SELECT 1 FROM information_schema.columns c
                    WHERE c.table_schema = current_schema() AND c.table_name = n.tbl AND c.column_name = n.col) AS column_exists
      FROM need n
  )
  SELECT string_agg(DISTINCT format('%I', tbl), ', ') FILTER (WHERE NOT table_exists),
         string_agg(format('%I.%I', tbl, col), ', ') FILTER (WHERE table_exists AND NOT column_exists)
    INTO missing_tables, missing_columns
    FROM have;

  IF missing_tables IS NOT NULL OR missing_columns IS NOT NULL THEN
    RAISE EXCEPTION 'baseline schema not found in schema %: missing tables: %; missing columns: %',
      current_schema(), coalesce(missing_tables, 'none'), coalesce(missing_columns, 'none')
      USING ERRCODE = 'undefined_table',
            HINT = 'Point DATABASE_URL at the app''s database. Nothing was changed.';
  END IF;
END
$$;

-- Fail fast instead of queueing behind a long transaction (and making every later query queue
-- behind us). A rerun is safe.
SET LOCAL lock_timeout = '3s';

ALTER TABLE posts  ADD COLUMN IF NOT EXISTS image_id text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image_id text;

-- Down Migration

SET LOCAL lock_timeout = '3s';

ALTER TABLE "user" DROP COLUMN IF EXISTS image_id;
ALTER TABLE posts  DROP COLUMN IF EXISTS image_id;
