-- After 04: both foreign keys exist with ON DELETE SET NULL (for posts, of image_id only).
SELECT 'posts (organization_id, image_id) -> storage (organization_id, id) ON DELETE SET NULL (image_id)' AS "check",
       EXISTS (SELECT 1 FROM pg_constraint
                WHERE conname = 'posts_image_id_fkey' AND conrelid = 'posts'::regclass
                  AND confrelid = 'storage'::regclass AND confdeltype = 'n'
                  AND pg_get_constraintdef(oid) LIKE '%ON DELETE SET NULL (image_id)%') AS ok
UNION ALL
SELECT '"user" (image_id) -> storage (id) ON DELETE SET NULL',
       EXISTS (SELECT 1 FROM pg_constraint
                WHERE conname = 'user_image_id_fkey' AND conrelid = '"user"'::regclass
                  AND confrelid = 'storage'::regclass AND confdeltype = 'n');
