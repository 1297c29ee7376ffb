-- Preflight: which of the pack's tables and columns exist in the current schema. The preflight
-- picks its other queries from this: a query that names a missing column does not even parse.
-- Before the pack: posts.image_key and "user".image. In the transition: image_id as well.
-- After a contract: image_id only, for that table.
WITH need (tbl, col) AS (
  VALUES ('organization', 'id'),
         ('user', 'id'), ('user', 'image'), ('user', 'image_id'),
         ('storage', 'id'), ('storage', 'file_key'), ('storage', 'organization_id'),
         ('storage', 'created_at'), ('storage', 'size'),
         ('posts', 'id'), ('posts', 'organization_id'), ('posts', 'image_key'), ('posts', 'image_id')
)
SELECT n.tbl,
       n.col,
       c.oid IS NOT NULL   AS table_exists,
       a.attnum IS NOT NULL AS column_exists
  FROM need n
  LEFT JOIN pg_class c
         ON c.relname = n.tbl
        AND c.relkind IN ('r', 'p')
        AND c.relnamespace = current_schema()::regnamespace
  LEFT JOIN pg_attribute a
         ON a.attrelid = c.oid
        AND a.attname = n.col
        AND a.attnum > 0
        AND NOT a.attisdropped;
