-- Harness only (make verify-online): the storage rows the deleters remove. Each is referenced
-- (the rule maps some post or user to it, verify.expected_*), but by no row a writer owns, and
-- it is not one of the rows the writers point at. Each is the only row with its file_key, so once
-- it is gone its key maps to nothing: every row that referenced it must end with image_id NULL,
-- and the end-of-run checks stay exact.
-- $1 storage ids the writers use, $2 post ids and $3 user ids the writers own, $4 how many.
WITH writer_storage AS (SELECT unnest($1::text[]) AS id),
     writer_posts   AS (SELECT unnest($2::text[]) AS id),
     writer_users   AS (SELECT unnest($3::text[]) AS id),
     referenced AS (
       SELECT e.image_id AS id, w.id IS NOT NULL AS by_writer
         FROM verify.expected_posts e LEFT JOIN writer_posts w USING (id)
        WHERE e.image_id IS NOT NULL
       UNION ALL
       SELECT e.image_id, w.id IS NOT NULL
         FROM verify.expected_user e LEFT JOIN writer_users w USING (id)
        WHERE e.image_id IS NOT NULL
     ),
     unique_keys AS (SELECT min(id) AS id FROM storage GROUP BY file_key HAVING count(*) = 1)
SELECT r.id
  FROM referenced r
  JOIN unique_keys u USING (id)
 WHERE NOT EXISTS (SELECT 1 FROM writer_storage w WHERE w.id = r.id)
 GROUP BY r.id
HAVING NOT bool_or(r.by_writer)
 ORDER BY md5(r.id)
 LIMIT $4
