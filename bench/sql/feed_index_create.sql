-- The candidate of issue 13 item 6: a covering unique index on storage (id) that carries
-- file_key, so the feed's two lookups of storage (the post image, the author's avatar) can be
-- Index Only Scans that never read storage's heap. Built concurrently, as a migration would.
-- Only ever run by bench/feed-index.ts, on a copy of the migrated database.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS storage_id_file_key_idx ON storage (id) INCLUDE (file_key);
