-- The seeder's fast load, step 1 of 3 (lib/seed/seed.ts; scratch databases only, inside seed()'s
-- one transaction, as a superuser, on the baseline's six tables while they are empty and have no
-- user triggers).
--
-- Why: an index filled row by row costs a random descent per row (the primary keys are random
-- 32-character ids), and a foreign key checks each row on its own. At millions of rows that
-- costs more than the rows themselves. A sorted build after the load, and one join per foreign
-- key, do the same work in bulk. So this file records the definition of every index and
-- constraint that the load would maintain, drops them, and truncates the (empty) tables, which
-- lets COPY ... WITH (FREEZE) write the rows frozen and all-visible. The tables stay logged: a
-- bench that measures WAL-bound work (the backfill) sees the tables as a restored dump would be.
-- rebuild-indexes.sql and add-foreign-keys.sql put every definition back, by name, unchanged.
CREATE TEMP TABLE seed_deferred_ddl (ord int NOT NULL, name text NOT NULL, drop_ddl text NOT NULL, ddl text NOT NULL) ON COMMIT DROP;

WITH t AS (
  SELECT to_regclass(quote_ident(n)) AS rel
    FROM unnest(ARRAY['organization', 'user', 'member', 'storage', 'posts', 'post_likes']) AS n
)
INSERT INTO seed_deferred_ddl (ord, name, drop_ddl, ddl)
-- 1: primary keys, unique and exclusion constraints (the foreign keys need the referenced ones)
SELECT 1, c.conname,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint c
 WHERE c.contype IN ('p', 'u', 'x') AND c.conrelid IN (SELECT rel FROM t)
UNION ALL
-- 2: the other indexes
SELECT 2, i.indexrelid::regclass::text,
       format('DROP INDEX %s', i.indexrelid::regclass),
       pg_get_indexdef(i.indexrelid)
  FROM pg_index i
 WHERE i.indrelid IN (SELECT rel FROM t)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
UNION ALL
-- 3: foreign keys from or to the six tables (account, session and invitation point at "user" and
-- organization: their keys go too, or the primary keys they depend on could not be dropped)
SELECT 3, c.conname,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint c
 WHERE c.contype = 'f' AND (c.conrelid IN (SELECT rel FROM t) OR c.confrelid IN (SELECT rel FROM t));

-- Foreign keys first, then the constraints they depend on, then the plain indexes.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT drop_ddl FROM seed_deferred_ddl ORDER BY ord DESC, name LOOP
    EXECUTE r.drop_ddl;
  END LOOP;
END
$$;

TRUNCATE organization, "user", member, storage, posts, post_likes;
