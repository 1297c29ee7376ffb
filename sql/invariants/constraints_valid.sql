-- Both foreign keys are validated, and no index in the schema is INVALID.
SELECT 'pg_constraint' AS tbl, k.name AS row_id,
       CASE WHEN c.oid IS NULL THEN 'missing' ELSE 'not validated' END AS detail
  FROM (VALUES ('posts_image_id_fkey'), ('user_image_id_fkey')) AS k (name)
  LEFT JOIN pg_constraint c ON c.conname = k.name AND c.connamespace = 'public'::regnamespace
 WHERE c.oid IS NULL OR NOT c.convalidated
UNION ALL
SELECT 'pg_index', c.relname, 'INVALID index'
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE NOT i.indisvalid AND c.relnamespace = 'public'::regnamespace;
