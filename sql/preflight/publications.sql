-- Preflight: publications (logical replication) that will carry the pack's changes. A
-- publication FOR ALL TABLES, or FOR TABLES IN SCHEMA of this schema, also publishes the tables
-- the pack creates (pgmigrations, posts_image_key_archive, user_image_archive): a subscriber
-- without them stops applying changes. One that lists posts, "user" or storage carries their
-- rows, but not the pack's DDL: the subscriber needs the new columns first.
SELECT p.pubname                                   AS name,
       p.puballtables                              AS all_tables,
       EXISTS (SELECT 1
                 FROM pg_publication_namespace pn
                 JOIN pg_namespace n ON n.oid = pn.pnnspid
                WHERE pn.pnpubid = p.oid AND n.nspname = current_schema()) AS whole_schema,
       ARRAY(SELECT pt.tablename::text
               FROM pg_publication_tables pt
              WHERE pt.pubname = p.pubname
                AND pt.schemaname = current_schema()
                AND pt.tablename IN ('posts', 'user', 'storage')
              ORDER BY 1)                          AS app_tables
  FROM pg_publication p
 ORDER BY p.pubname;
