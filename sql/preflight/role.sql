-- Preflight: the role the report (and, run with the same login, the pack) runs as.
SELECT current_user AS name, rolsuper AS superuser, rolbypassrls AS bypass_rls
  FROM pg_roles
 WHERE rolname = current_user;
