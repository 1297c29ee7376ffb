-- Indexes left INVALID by an interrupted CREATE INDEX CONCURRENTLY, in the current schema.
SELECT c.relname AS name
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
 WHERE NOT i.indisvalid
   AND c.relnamespace = current_schema()::regnamespace
