-- After 09: "user".image is gone, its unmapped values are archived, its trigger is gone.
SELECT '"user".image is dropped' AS "check",
       NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                      AND table_name = 'user' AND column_name = 'image') AS ok
UNION ALL
SELECT 'user_image_archive exists', to_regclass('user_image_archive') IS NOT NULL
UNION ALL
SELECT '"user" has no sync trigger',
       NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'image_ref_sync' AND tgrelid = '"user"'::regclass);
