-- Contract, user, undone, part 1 (one transaction): the old column comes back, empty. An
-- instant, catalog-only change under ACCESS EXCLUSIVE. Then the wrapper re-attaches the sync
-- trigger (sql/sync/user.sql) and runs 09_contract-user.restore.sql.

SET LOCAL lock_timeout = '3s';

ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image text;
