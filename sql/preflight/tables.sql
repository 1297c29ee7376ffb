-- Preflight, production settings of posts, "user" and storage (in the current schema): what
-- kind of table each is, who owns it, row-level security and its policies, and whether the
-- current role sees every row. The same tests as sql/guards/plain_tables.sql, owner.sql and
-- rows_visible.sql, which refuse in 01; here they are reported.
SELECT c.relname                                          AS tbl,
       c.relkind::text                                    AS kind,
       c.relispartition                                   AS is_partition,
       EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid) AS has_children,
       pg_get_userbyid(c.relowner)                        AS owner,
       c.relowner = r.oid                                 AS role_is_owner,
       c.relrowsecurity                                   AS rls,
       c.relforcerowsecurity                              AS rls_forced,
       -- A superuser or BYPASSRLS role sees every row; so does the owner (or a member with its
       -- privileges) unless the table is FORCE ROW LEVEL SECURITY.
       NOT c.relrowsecurity OR r.rolsuper OR r.rolbypassrls
         OR (pg_has_role(r.oid, c.relowner, 'USAGE') AND NOT c.relforcerowsecurity) AS sees_all_rows,
       coalesce((SELECT json_agg(json_build_object(
                          'name', p.polname,
                          'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                                   WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                          'permissive', p.polpermissive,
                          'using', pg_get_expr(p.polqual, p.polrelid)) ORDER BY p.polname)
                   FROM pg_policy p WHERE p.polrelid = c.oid), '[]'::json) AS policies
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN (SELECT oid, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user) r
 WHERE n.nspname = current_schema()
   AND c.relname IN ('posts', 'user', 'storage')
 ORDER BY c.relname;
