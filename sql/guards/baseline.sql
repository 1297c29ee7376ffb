-- Guard (01's up, first): stop before any change when this is not the app's database, or the
-- server is too old. One statement. Tables are looked up in the current schema: the one
-- node-pg-migrate's --schema put first in search_path.
DO $guard$
DECLARE
  missing_tables  text;
  missing_columns text;
  migrations      regclass := to_regclass(format('%I.pgmigrations', current_schema()));
  left_behind     text := '';
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
           to_regclass(format('%I.%I', current_schema(), n.tbl)) IS NOT NULL AS table_exists,
           EXISTS (SELECT 1 FROM information_schema.columns c
                    WHERE c.table_schema = current_schema() AND c.table_name = n.tbl AND c.column_name = n.col) AS column_exists
      FROM need n
  )
  SELECT string_agg(DISTINCT format('%I', tbl), ', ') FILTER (WHERE NOT table_exists),
         string_agg(format('%I.%I', tbl, col), ', ') FILTER (WHERE table_exists AND NOT column_exists)
    INTO missing_tables, missing_columns
    FROM have;

  IF missing_tables IS NOT NULL OR missing_columns IS NOT NULL THEN
    -- node-pg-migrate creates its own table before it runs the first migration, so by now it
    -- exists: say so, rather than claim that nothing exists that did not before.
    IF migrations IS NOT NULL THEN
      left_behind := format(' node-pg-migrate created its own table %s before this check (DROP TABLE %s removes it).',
                            migrations, migrations);
    END IF;
    RAISE EXCEPTION 'baseline schema not found in schema %: missing tables: %; missing columns: %',
      coalesce(current_schema(), '(none)'), coalesce(missing_tables, 'none'), coalesce(missing_columns, 'none')
      USING ERRCODE = 'undefined_table',
            HINT = 'Point DATABASE_URL at the app''s database (and --schema at the schema of its tables). '
                   || 'The app''s tables were not touched.' || left_behind;
  END IF;
END
$guard$;
