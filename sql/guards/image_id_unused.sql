-- Guard (01's up, before the columns are added): an image_id column that already exists is
-- only accepted when it is what 01 would add, nullable text with no default, and holds no
-- value. A column holding values would be kept by ADD COLUMN IF NOT EXISTS, and the pack would
-- finish with image_ids that the mapping rule never chose. One statement.
DO $guard$
DECLARE
  col      record;
  in_use   bigint;
  problems text[] := '{}';
BEGIN
  FOR col IN
    SELECT c.relname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.atthasdef
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema()
       AND c.relname IN ('posts', 'user')
       AND a.attname = 'image_id'
       AND a.attnum > 0
       AND NOT a.attisdropped
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT count(image_id) FROM %I.%I', current_schema(), col.relname) INTO in_use;
    IF in_use > 0 OR col.type <> 'text' OR col.attnotnull OR col.atthasdef THEN
      problems := problems || format('%I.image_id already exists (%s%s%s) and %s rows hold a value',
                                     col.relname, col.type,
                                     CASE WHEN col.attnotnull THEN ', NOT NULL' ELSE '' END,
                                     CASE WHEN col.atthasdef THEN ', with a default' ELSE '' END,
                                     in_use);
    END IF;
  END LOOP;

  IF cardinality(problems) > 0 THEN
    RAISE EXCEPTION 'the pack adds image_id itself: %; nothing was changed', array_to_string(problems, '; ')
      USING ERRCODE = 'duplicate_column',
            HINT = 'Find out what wrote that column. If it is not needed, drop it (ALTER TABLE ... DROP COLUMN image_id) and run the pack again; an empty nullable text image_id is accepted as is.';
  END IF;
END
$guard$;
