-- Guard (01's up): posts, "user" and storage must be plain tables. The pack builds its indexes
-- with CREATE INDEX CONCURRENTLY, which PostgreSQL refuses on a partitioned table (03 would fail
-- after 01 and 02 are applied); a partition or an inheritance parent would spread its column
-- changes and backfill to tables it does not check. Refuse up front instead. One statement.
DO $guard$
DECLARE
  problems text;
BEGIN
  SELECT string_agg(format('%I is %s', c.relname,
                           CASE c.relkind WHEN 'p' THEN 'a partitioned table'
                                          WHEN 'v' THEN 'a view'
                                          WHEN 'm' THEN 'a materialized view'
                                          WHEN 'f' THEN 'a foreign table'
                                          WHEN 'r' THEN CASE WHEN c.relispartition THEN 'a partition of another table'
                                                             ELSE 'the parent of inheritance children' END
                                          ELSE format('of relkind %s', c.relkind) END),
                    '; ' ORDER BY c.relname)
    INTO problems
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema()
     AND c.relname IN ('posts', 'user', 'storage')
     AND (c.relkind <> 'r' OR c.relispartition OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid));

  IF problems IS NOT NULL THEN
    RAISE EXCEPTION 'the pack works on plain tables only: %. It builds its indexes with CREATE INDEX CONCURRENTLY, which PostgreSQL does not support on partitioned tables, and it checks and backfills one table each; nothing was changed',
      problems
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Migrate a partitioned table by hand: per partition, or with the app stopped.';
  END IF;
END
$guard$;
