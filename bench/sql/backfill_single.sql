-- The backfill of posts as ONE statement, for comparison with the batched procedure
-- (sql/backfill.sql): the same rule (image_ref_post_storage_id), the same rows, the same
-- triggers and foreign-key checks, but one transaction holding every row lock to the end.
-- Runs on a scratch copy of the benchmark database, taken after step 05 (just before the backfill).
UPDATE posts p
   SET image_id = r.storage_id
  FROM (SELECT q.id, q.organization_id, q.image_key,
               image_ref_post_storage_id(q.organization_id, q.image_key) AS storage_id
          FROM posts q
         WHERE q.image_key IS NOT NULL) r
 WHERE p.id = r.id
   AND r.storage_id IS NOT NULL
   AND p.image_id IS NULL;
