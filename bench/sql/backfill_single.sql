-- Reference (a) (bench/backfill.ts): the backfill of posts as ONE statement, on the table of
-- backfill_reference_table.sql (no trigger, no foreign key): the same rule
-- (image_ref_post_storage_id), the same rows the pack writes, one transaction.
UPDATE posts p
   SET image_id = r.storage_id
  FROM (SELECT q.id, q.organization_id, q.image_key,
               image_ref_post_storage_id(q.organization_id, q.image_key) AS storage_id
          FROM posts q
         WHERE q.image_key IS NOT NULL) r
 WHERE p.id = r.id
   AND r.storage_id IS NOT NULL
   AND p.image_id IS NULL;
