-- After 02: the two storage indexes exist and are valid.
SELECT format('index %s is valid', n) AS "check",
       EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE c.relname = n AND c.relnamespace = current_schema()::regnamespace AND i.indisvalid) AS ok
  FROM unnest(ARRAY['storage_organization_id_id_key', 'storage_file_key_hash_idx']) AS n;
