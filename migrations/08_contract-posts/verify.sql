-- After 08: posts.image_key is gone, its unmapped values are archived, its trigger is gone.
SELECT 'posts.image_key is dropped' AS "check",
       NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                      AND table_name = 'posts' AND column_name = 'image_key') AS ok
UNION ALL
SELECT 'posts_image_key_archive exists', to_regclass('posts_image_key_archive') IS NOT NULL
UNION ALL
SELECT 'posts has no sync trigger',
       NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'image_ref_sync' AND tgrelid = 'posts'::regclass);
