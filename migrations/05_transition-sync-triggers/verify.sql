-- After 05: the sync triggers are attached and enabled on both tables.
SELECT format('trigger image_ref_sync on %s is enabled', t) AS "check",
       EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'image_ref_sync' AND tgrelid = t::regclass AND tgenabled = 'O') AS ok
  FROM unnest(ARRAY['posts', '"user"']) AS t;
