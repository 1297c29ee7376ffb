-- Guard (01's up): the pack must run as the role that owns posts, "user" and storage (or as a
-- superuser). Everything the pack creates (node-pg-migrate's pgmigrations, the archive tables,
-- the functions and triggers) belongs to the role that runs it. Run by a member of the owner's
-- role, those objects end up owned by the member, and a later run as the owner fails (on
-- pgmigrations first). One statement; tables resolved in the current schema.
DO $guard$
DECLARE
  not_owned   text;
  owner_names text[];
  migrations  regclass := to_regclass(format('%I.pgmigrations', current_schema()));
  mig_empty   boolean;
  left_behind text := '';
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN;
  END IF;

  SELECT string_agg(format('%I (owner %I)', c.relname, pg_get_userbyid(c.relowner)), ', ' ORDER BY c.relname)
           FILTER (WHERE pg_get_userbyid(c.relowner) <> current_user),
         array_agg(DISTINCT pg_get_userbyid(c.relowner)::text)
    INTO not_owned, owner_names
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema()
     AND c.relname IN ('posts', 'user', 'storage')
     AND c.relkind IN ('r', 'p');

  IF not_owned IS NULL THEN
    RETURN;
  END IF;

  -- node-pg-migrate created its table, as this role, before running 01. Left in place it would
  -- stop the owner's run ("permission denied for table pgmigrations"): say how to remove it.
  IF migrations IS NOT NULL AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = migrations), 'USAGE') THEN
    EXECUTE format('SELECT NOT EXISTS (SELECT FROM %s)', migrations) INTO mig_empty;
    IF mig_empty THEN
      left_behind := format(' node-pg-migrate created its own table %s, owned by %I, before this check: DROP TABLE %s before running as the owner.',
                            migrations, current_user, migrations);
    END IF;
  END IF;

  RAISE EXCEPTION 'the pack must run as the owner of posts, "user" and storage; role % does not own %. What the pack creates (pgmigrations, the archive tables, the functions) would belong to %, and a later run as the owner would fail; nothing was changed',
    quote_ident(current_user), not_owned, quote_ident(current_user)
    USING ERRCODE = 'insufficient_privilege',
          HINT = CASE WHEN cardinality(owner_names) = 1
                      THEN format('Connect as %I, or keep this login and add PGOPTIONS=''-c role=%s'' so node-pg-migrate''s own table is created by the owner too.',
                                  owner_names[1], quote_ident(owner_names[1]))
                      ELSE format('The tables have different owners (%s): give them one owner (ALTER TABLE ... OWNER TO ...) or run as a superuser.',
                                  array_to_string(owner_names, ', '))
                 END || left_behind;
END
$guard$;
