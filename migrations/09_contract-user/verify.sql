-- After 09: "user".image keeps only provider URLs (for better-auth); every object key is out of
-- it (unmapped ones archived); the sync trigger is gone; the app's writes settle the archive.
SELECT '"user".image is kept (better-auth)' AS "check",
       EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                  AND table_name = 'user' AND column_name = 'image') AS ok
UNION ALL
SELECT '"user".image holds no object key',
       NOT EXISTS (SELECT 1 FROM "user" u
                    WHERE u.image IS NOT NULL
                      AND (NOT image_ref_user_is_url(u.image)
                           OR EXISTS (SELECT 1 FROM storage s WHERE s.id = u.image_id AND s.file_key = u.image)))
UNION ALL
SELECT 'user_image_archive exists', to_regclass('user_image_archive') IS NOT NULL
UNION ALL
SELECT '"user" has no sync trigger',
       NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'image_ref_sync' AND tgrelid = '"user"'::regclass)
UNION ALL
SELECT '"user" settles its archive on app writes',
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = '"user"'::regclass
         AND tgname IN ('image_ref_archive_settle', 'image_ref_archive_settle_image')) = 2
UNION ALL
SELECT 'user_image_unmapped_idx is dropped', to_regclass('user_image_unmapped_idx') IS NULL;
