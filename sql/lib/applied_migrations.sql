-- The pack's applied migrations, in the order node-pg-migrate ran them, from its table in schema
-- $1 (the schema the pack runs in; MIGRATE_SCHEMA, default public), or no rows when that table
-- does not exist yet. Schema-qualified, so the caller's search_path never decides which table
-- is read. Read-only; query_to_xml runs the inner query only when the table is there.
SELECT (xpath('/row/name/text()', r))[1]::text AS name
  FROM unnest(xpath('/table/row',
         CASE WHEN to_regclass(quote_ident($1::text) || '.pgmigrations') IS NOT NULL
              THEN query_to_xml('SELECT name FROM ' || quote_ident($1::text) || '.pgmigrations ORDER BY run_on, id', false, false, '')
         END)) AS r
