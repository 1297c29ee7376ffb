-- Pins every function of the pack (image_ref_*) in the pack's schema to that schema, so none
-- depends on the caller's search_path: app sessions fire the triggers with their own. pg_temp
-- last, so a temporary table cannot stand in for storage inside a SECURITY DEFINER function.
-- Functions only: a procedure with a SET clause may not COMMIT, and the batched procedures
-- (backfill, restore) run in the migrating session, whose search_path is the pack's schema.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure
             FROM pg_proc p
            WHERE p.pronamespace = current_schema()::regnamespace
              AND p.proname LIKE 'image\_ref\_%'
              AND p.prokind = 'f'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END
$$;
