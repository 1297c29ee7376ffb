-- Harness only, in its scratch database: what the data looked like before the pack ran.
-- Lives in schema verify, which the pack never touches and the row counts leave out.
CREATE SCHEMA verify;
CREATE TABLE verify.original_posts AS SELECT id, organization_id, image_key FROM posts;
ALTER TABLE verify.original_posts ADD PRIMARY KEY (id);
CREATE TABLE verify.original_user AS SELECT id, image FROM "user";
ALTER TABLE verify.original_user ADD PRIMARY KEY (id);
CREATE TABLE verify.row_counts (table_name text PRIMARY KEY, n bigint NOT NULL);
INSERT INTO verify.row_counts
SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text::bigint
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r';
-- The rule's answer for every original value, computed here independently of the pack, as
-- set-based joins (the baseline has no index on storage.file_key).
CREATE TABLE verify.expected_posts AS
SELECT o.id, o.image_key, m.id AS image_id
  FROM verify.original_posts o
  LEFT JOIN (SELECT DISTINCT ON (organization_id, file_key) organization_id, file_key, id
               FROM storage
              ORDER BY organization_id, file_key, created_at, id) m
    ON m.file_key = o.image_key AND m.organization_id = o.organization_id;
ALTER TABLE verify.expected_posts ADD PRIMARY KEY (id);
CREATE TABLE verify.expected_user AS
SELECT o.id, o.image, m.id AS image_id
  FROM verify.original_user o
  LEFT JOIN (SELECT DISTINCT ON (file_key) file_key, id
               FROM storage
              ORDER BY file_key, created_at, id) m
    ON m.file_key = o.image;
ALTER TABLE verify.expected_user ADD PRIMARY KEY (id);
-- The app schema's shape (public, less node-pg-migrate's bookkeeping table), to prove that a
-- full down leaves nothing behind: no column, index, constraint, trigger, function or table.
CREATE FUNCTION verify.schema_fingerprint()
RETURNS TABLE (kind text, name text, definition text)
LANGUAGE sql STABLE
AS $$
  SELECT 'column', format('%s.%s', c.relname, a.attname),
         concat_ws(' ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                   pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'pgmigrations'
  UNION ALL
  SELECT 'index', c.relname, pg_get_indexdef(c.oid)
    FROM pg_class c WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace AND c.relname <> 'pgmigrations_pkey'
  UNION ALL
  SELECT 'constraint', format('%s.%s', conrelid::regclass, conname), pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'pgmigrations'
  UNION ALL
  SELECT 'trigger', format('%s.%s', tgrelid::regclass, tgname), pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
  UNION ALL
  SELECT 'function', p.oid::regprocedure::text, p.prokind::text
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
$$;
CREATE TABLE verify.schema_before AS SELECT * FROM verify.schema_fingerprint();
