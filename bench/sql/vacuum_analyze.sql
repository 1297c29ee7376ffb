-- Before measuring: fresh statistics and visibility maps, as autovacuum would leave them
-- (the seed is one bulk load, and the backfill rewrites most posts rows).
VACUUM (ANALYZE) organization, "user", member, storage, posts, post_likes;
