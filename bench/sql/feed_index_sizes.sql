-- What the covering index costs on disk, next to storage's primary key and heap ($1: the
-- candidate index's name; NULL where it does not exist), and the longest file_key: a btree entry
-- holds at most 2704 bytes, so a longer key could not be uploaded once the index exists. And the
-- feed index's and posts' size: the backfill's updates grow both (see feed_index_reindex.sql).
SELECT (SELECT count(*) FROM storage)::bigint                                  AS storage_rows,
       pg_relation_size('storage')                                             AS storage_heap_bytes,
       pg_relation_size('storage_pkey')                                        AS storage_pkey_bytes,
       pg_relation_size(to_regclass($1::text))                                 AS index_bytes,
       pg_relation_size('posts_organization_id_created_at_id_idx')             AS feed_index_bytes,
       pg_relation_size('posts')                                               AS posts_heap_bytes,
       (SELECT max(octet_length(file_key)) FROM storage)                       AS max_file_key_bytes,
       (SELECT datcollate FROM pg_database WHERE datname = current_database()) AS collation;
