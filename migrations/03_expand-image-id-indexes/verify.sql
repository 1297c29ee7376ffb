-- After 03: image_id leads a valid index on both tables, storage (id) has its valid hash index
-- (the feed's lookups), and no index anywhere is INVALID.
SELECT format('%s.image_id leads a valid index', t) AS "check",
       EXISTS (SELECT 1 FROM pg_index i
                WHERE i.indrelid = t::regclass AND i.indisvalid
                  AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = t::regclass AND attname = 'image_id')) AS ok
  FROM unnest(ARRAY['posts', '"user"']) AS t
UNION ALL
SELECT 'storage_id_hash_idx is a valid hash index of storage (id)',
       EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                WHERE c.relname = 'storage_id_hash_idx' AND c.relnamespace = current_schema()::regnamespace
                  AND i.indrelid = 'storage'::regclass AND i.indisvalid AND am.amname = 'hash'
                  AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = 'storage'::regclass AND attname = 'id'))
UNION ALL
SELECT 'no INVALID index in the schema',
       NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace);
