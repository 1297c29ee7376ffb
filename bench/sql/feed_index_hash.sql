-- Another candidate for the feed's two storage lookups, measured by bench/feed-index.ts: a hash
-- index on storage (id). A probe reads one bucket page (the metapage is cached) where a btree
-- descends three levels; it still reads the heap for file_key (hash indexes have no index-only
-- scans). The planner picks it over storage_pkey only if it costs less: the run prints which.
-- Only ever run on a copy of the migrated database.
CREATE INDEX CONCURRENTLY IF NOT EXISTS storage_id_hash_idx ON storage USING hash (id);
