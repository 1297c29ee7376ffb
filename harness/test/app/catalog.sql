-- Test only: the shape of one schema ($1), as rows that two databases can be compared by. Every
-- column (type, NOT NULL, default), constraint and index, by name; no row data.
SELECT 'column' AS kind, format('%s.%s', c.relname, a.attname) AS name,
       concat_ws(' ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                 pg_get_expr(d.adbin, d.adrelid)) AS definition
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r' AND c.relnamespace = $1::regnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'index', c.relname, pg_get_indexdef(c.oid)
  FROM pg_class c WHERE c.relkind = 'i' AND c.relnamespace = $1::regnamespace
UNION ALL
SELECT 'constraint', format('%s.%s', r.relname, k.conname), pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
 WHERE k.connamespace = $1::regnamespace
ORDER BY 1, 2
