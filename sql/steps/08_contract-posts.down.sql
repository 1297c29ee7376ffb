-- Contract, posts, undone, part 1 (one transaction): the old column comes back, empty. An
-- instant, catalog-only change under ACCESS EXCLUSIVE. Then the wrapper re-attaches the sync
-- trigger (sql/sync/posts.sql) and runs 08_contract-posts.restore.sql.

SET LOCAL lock_timeout = '3s';

ALTER TABLE posts ADD COLUMN IF NOT EXISTS image_key text;
