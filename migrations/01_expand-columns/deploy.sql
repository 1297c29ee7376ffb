-- Expand, part 1: the new columns. Nullable, no default: a catalog-only change, instant on any
-- table size, but ALTER TABLE ADD COLUMN still takes ACCESS EXCLUSIVE for that instant.
-- After the guards of sql/guards/ (included below, in order: the baseline first, as the others
-- assume the tables exist; then who runs the pack, what the tables are, what the role can see
-- before anything counts rows, stray columns), all in one transaction: a refusal changes nothing.
SET LOCAL statement_timeout = 0;
\ir ../../sql/guards/baseline.sql
\ir ../../sql/guards/owner.sql
\ir ../../sql/guards/plain_tables.sql
\ir ../../sql/guards/rows_visible.sql
\ir ../../sql/guards/image_id_unused.sql
\ir ../../sql/lib/lock_retry.sql

-- Both tables at once, in short attempts retried with backoff (sql/lib/lock_retry.sql): no app
-- query queues behind us for longer than one attempt, even behind a long transaction.
SELECT image_ref_lock('posts, "user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE posts  ADD COLUMN IF NOT EXISTS image_id text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image_id text;
