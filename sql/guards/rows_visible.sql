-- Guard: refuse when row-level security could hide rows of posts, "user" or storage from the
-- role running the pack. Hidden rows are silently skipped by every count, check, UPDATE and
-- INSERT ... SELECT: the backfill would leave them unmapped, the contract's check would pass
-- without seeing them, and the old column would be dropped with their values.
--
-- A role sees every row when it is a superuser, has BYPASSRLS, or owns the table (membership
-- with inherited privileges counts, as PostgreSQL's ownership check does) and the table is not
-- FORCE ROW LEVEL SECURITY. Otherwise any RLS-enabled table may hide rows (with no policy at
-- all, it hides every row), so the guard refuses without trying to judge the policies.
--
-- Self-contained, one statement, idempotent, no settings: migrations include it before any
-- step that reads or rewrites these tables. Tables are resolved in the current schema (the one
-- node-pg-migrate's --schema sets), never a hard-coded one.
DO $guard$
DECLARE
  me       pg_roles%ROWTYPE;
  t        record;
  hidden   text[] := '{}';
  no_force text[] := '{}';
  owners   text[] := '{}';
  fix      text;
BEGIN
  SELECT * INTO me FROM pg_roles WHERE rolname = current_user;
  IF me.rolsuper OR me.rolbypassrls THEN
    RETURN;
  END IF;

  FOR t IN
    SELECT c.relname,
           c.relforcerowsecurity AS forced,
           pg_get_userbyid(c.relowner) AS owner,
           pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
           (SELECT string_agg(format('%I%s%s%s', p.polname,
                                     CASE p.polcmd WHEN 'r' THEN ' FOR SELECT' WHEN 'a' THEN ' FOR INSERT'
                                                   WHEN 'w' THEN ' FOR UPDATE' WHEN 'd' THEN ' FOR DELETE' ELSE '' END,
                                     CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END,
                                     coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')),
                              ', ' ORDER BY p.polname)
              FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema()
       AND c.relname IN ('posts', 'user', 'storage')
       AND c.relrowsecurity
     ORDER BY c.relname
  LOOP
    CONTINUE WHEN t.owns AND NOT t.forced;
    hidden := hidden || format('%I (row-level security enabled%s; policies: %s)',
                               t.relname, CASE WHEN t.forced THEN ' and forced' ELSE '' END,
                               coalesce(t.policies, 'none, so every row is hidden'));
    IF t.forced THEN
      no_force := no_force || format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t.relname);
    END IF;
    IF NOT t.owns THEN
      owners := owners || quote_ident(t.owner);
    END IF;
  END LOOP;

  IF cardinality(hidden) = 0 THEN
    RETURN;
  END IF;
  fix := format('a superuser, or a role with BYPASSRLS (as a superuser: ALTER ROLE %I BYPASSRLS; NOBYPASSRLS after)', current_user);
  IF cardinality(owners) > 0 THEN
    fix := fix || format(', or the tables'' owner (%s)%s', array_to_string(ARRAY(SELECT DISTINCT unnest(owners)), ', '),
                         CASE WHEN cardinality(no_force) > 0 THEN ' with FORCE lifted' ELSE '' END);
  END IF;
  IF cardinality(no_force) > 0 THEN
    fix := fix || format('; to lift FORCE while the pack runs, as the owner: %s (FORCE again after)', array_to_string(no_force, '; '));
  END IF;
  RAISE EXCEPTION 'row-level security could hide rows from role %: %. The pack would skip the hidden rows and lose their image keys. Fix: run the pack as a role that sees every row: %; nothing was changed',
    quote_ident(current_user), array_to_string(hidden, '; '), fix
    USING ERRCODE = 'insufficient_privilege';
END
$guard$;
