-- After 01: both image_id columns exist, nullable text.
SELECT 'posts.image_id is nullable text' AS "check",
       EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                  AND table_name = 'posts' AND column_name = 'image_id' AND data_type = 'text' AND is_nullable = 'YES') AS ok
UNION ALL
SELECT '"user".image_id is nullable text',
       EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                  AND table_name = 'user' AND column_name = 'image_id' AND data_type = 'text' AND is_nullable = 'YES');
