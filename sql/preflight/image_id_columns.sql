-- Preflight: image_id columns on posts and "user", with their type and how many rows hold a
-- value. Before 01 has run, such a column was not made by the pack: 01 accepts it only as an
-- empty, nullable text column without a default (sql/guards/image_id_unused.sql).
-- query_to_xml counts the values without naming image_id in this statement's own text, so the
-- statement parses whether the column exists or not.
SELECT c.relname                               AS tbl,
       format_type(a.atttypid, a.atttypmod)    AS type,
       a.attnotnull                            AS not_null,
       a.atthasdef                             AS has_default,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(image_id) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS with_value
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema()
   AND c.relname IN ('posts', 'user')
   AND a.attname = 'image_id'
   AND a.attnum > 0
   AND NOT a.attisdropped
 ORDER BY c.relname;
