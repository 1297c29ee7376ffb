-- Harness only (make verify-online): after the contract and its down, every row has the old
-- column and image_id it had right before the contract (online.before_contract_*).
SELECT 'posts' AS tbl, coalesce(b.id, p.id) AS row_id,
       format('before the contract image_key %s, image_id %s; after its down %s, %s',
              quote_nullable(b.image_key), coalesce(b.image_id, 'NULL'),
              quote_nullable(p.image_key), coalesce(p.image_id, 'NULL')) AS detail
  FROM online.before_contract_posts b
  FULL JOIN posts p USING (id)
 WHERE b.id IS NULL OR p.id IS NULL
    OR b.image_key IS DISTINCT FROM p.image_key OR b.image_id IS DISTINCT FROM p.image_id
UNION ALL
SELECT 'user', coalesce(b.id, u.id),
       format('before the contract image %s, image_id %s; after its down %s, %s',
              quote_nullable(b.image), coalesce(b.image_id, 'NULL'),
              quote_nullable(u.image), coalesce(u.image_id, 'NULL'))
  FROM online.before_contract_user b
  FULL JOIN "user" u USING (id)
 WHERE b.id IS NULL OR u.id IS NULL
    OR b.image IS DISTINCT FROM u.image OR b.image_id IS DISTINCT FROM u.image_id
