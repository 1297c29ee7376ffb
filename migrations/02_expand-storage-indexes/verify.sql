-- After 02: the storage index of the rule's lookup exists and is valid, and there is no unique
-- (organization_id, id) index: posts' key references storage (id), the primary key.
SELECT 'index storage_file_key_hash_idx is valid' AS "check",
       EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE c.relname = 'storage_file_key_hash_idx' AND c.relnamespace = current_schema()::regnamespace
                  AND i.indisvalid) AS ok
UNION ALL
SELECT 'no index storage_organization_id_id_key',
       NOT EXISTS (SELECT 1 FROM pg_class c
                    WHERE c.relname = 'storage_organization_id_id_key' AND c.relnamespace = current_schema()::regnamespace);
