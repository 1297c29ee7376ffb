-- Both foreign keys are validated, the triggers that keep a post's image in its organization
-- (04, kept for good) are there and enabled, and no index in the schema is INVALID.
SELECT 'pg_constraint' AS tbl, k.name AS row_id,
       CASE WHEN c.oid IS NULL THEN 'missing' ELSE 'not validated' END AS detail
  FROM (VALUES ('posts_image_id_fkey'), ('user_image_id_fkey')) AS k (name)
  LEFT JOIN pg_constraint c ON c.conname = k.name AND c.connamespace = 'public'::regnamespace
 WHERE c.oid IS NULL OR NOT c.convalidated
UNION ALL
SELECT 'pg_trigger', k.name,
       CASE WHEN t.oid IS NULL THEN format('missing on %s', k.tbl) ELSE format('disabled on %s', k.tbl) END
  FROM (VALUES ('image_ref_same_organization_insert', 'posts'), ('image_ref_same_organization_update', 'posts'),
               ('image_ref_same_organization', 'storage')) AS k (name, tbl)
  LEFT JOIN pg_trigger t ON t.tgname = k.name AND t.tgrelid = to_regclass('public.' || quote_ident(k.tbl))
 WHERE t.oid IS NULL OR t.tgenabled = 'D'
UNION ALL
SELECT 'pg_index', c.relname, 'INVALID index'
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE NOT i.indisvalid AND c.relnamespace = 'public'::regnamespace;
