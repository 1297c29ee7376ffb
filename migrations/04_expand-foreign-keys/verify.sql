-- After 04: both foreign keys exist, on image_id alone, to storage (id), ON DELETE SET NULL (the
-- keys Drizzle declares), and the triggers that keep a post's image in its organization are on.
SELECT format('%I (image_id) -> storage (id) ON DELETE SET NULL', t) AS "check",
       EXISTS (SELECT 1 FROM pg_constraint k
                WHERE k.conname = t || '_image_id_fkey' AND k.conrelid = format('%I', t)::regclass
                  AND k.confrelid = 'storage'::regclass AND k.confdeltype = 'n'
                  AND k.conkey = ARRAY[(SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attname = 'image_id')]
                  AND k.confkey = ARRAY[(SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = k.confrelid AND a.attname = 'id')]) AS ok
  FROM unnest(ARRAY['posts', 'user']) AS t
UNION ALL
SELECT format('trigger %s on %s is enabled', n, tbl),
       EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgname = n AND g.tgrelid = tbl::regclass AND g.tgenabled <> 'D')
  FROM (VALUES ('image_ref_same_organization_insert', 'posts'), ('image_ref_same_organization_update', 'posts'),
               ('image_ref_same_organization', 'storage')) AS x (n, tbl);
