-- The pack's applied migrations (node-pg-migrate's table), or no rows when it does not exist
-- yet. Read-only; query_to_xml runs the inner query only when the table is there.
SELECT (xpath('/row/name/text()', r))[1]::text AS name
  FROM unnest(xpath('/table/row',
         CASE WHEN to_regclass('pgmigrations') IS NOT NULL
              THEN query_to_xml('SELECT name FROM pgmigrations ORDER BY id', false, false, '')
         END)) AS r
