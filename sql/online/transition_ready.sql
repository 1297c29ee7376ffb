-- Harness only: the new app's switch. It writes image_id only once the pack's sync triggers are
-- committed on both tables, so that old-app readers keep seeing a matching key.
SELECT count(*) = 2 AS ready
  FROM pg_trigger
 WHERE tgname = 'image_ref_sync'
   AND tgrelid IN (to_regclass('posts'), to_regclass('"user"'))
