-- After 06: no row has a mappable old value without an image_id.
SELECT 'no post has a mappable image_key and a NULL image_id' AS "check",
       NOT EXISTS (SELECT 1 FROM posts p
                    WHERE p.image_id IS NULL AND p.image_key IS NOT NULL
                      AND EXISTS (SELECT 1 FROM storage s WHERE s.file_key = p.image_key
                                     AND s.organization_id = p.organization_id)) AS ok
UNION ALL
SELECT 'no user has a mappable image and a NULL image_id',
       NOT EXISTS (SELECT 1 FROM "user" u
                    WHERE u.image_id IS NULL AND u.image IS NOT NULL
                      AND EXISTS (SELECT 1 FROM storage s WHERE s.file_key = u.image))
UNION ALL
SELECT 'the backfill procedures are gone',
       to_regprocedure('image_ref_batches(text, text, integer, integer, integer, integer, integer)') IS NULL
       AND to_regprocedure('image_ref_await_replicas(text, integer, integer, pg_lsn[], timestamptz[], boolean, numeric)') IS NULL
       AND to_regprocedure('image_ref_backfill_posts(tid, tid, bigint, bigint, bigint, text)') IS NULL;
