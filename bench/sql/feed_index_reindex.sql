-- Another way to win back what the pack costs the feed, measured by bench/feed-index.ts: the
-- backfill updates most posts rows, and as posts.image_id is indexed none of those updates is
-- HOT, so every index of posts gets a second entry per updated row; VACUUM frees the old ones but
-- leaves the feed index's leaf pages half empty. Rebuilt concurrently (no lock that blocks the
-- app), the index is packed again. Only ever run on a copy of the migrated database.
REINDEX INDEX CONCURRENTLY posts_organization_id_created_at_id_idx;
