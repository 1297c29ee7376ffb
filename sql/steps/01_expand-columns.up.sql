-- Expand, part 1: the new columns. Nullable, no default: a catalog-only change, instant on any
-- table size, but ALTER TABLE ADD COLUMN still takes ACCESS EXCLUSIVE for that instant.
-- Runs after the guards of sql/guards/ (see migrations/01_expand-columns.ts), in one transaction.

-- Fail fast instead of queueing behind a long transaction (and making every later query queue
-- behind us). A rerun is safe.
SET LOCAL lock_timeout = '3s';

ALTER TABLE posts  ADD COLUMN IF NOT EXISTS image_id text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image_id text;
