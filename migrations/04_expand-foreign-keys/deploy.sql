-- Expand, part 4: the foreign keys, NOT VALID. Adding a key locks both tables in SHARE ROW
-- EXCLUSIVE; NOT VALID skips the scan of existing rows but checks every new write from now on.
-- 07_validate-foreign-keys checks the old rows later, under a weak lock. One transaction.

-- The locks of this transaction (and of 05, which shares it under the CLI's default
-- --single-transaction), all taken at once in short attempts: sql/lib/lock_retry.sql.
SET LOCAL statement_timeout = 0;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'SHARE ROW EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- Tenant integrity: a post can only show an image of its own organization. Deleting the
-- storage row nulls image_id and keeps organization_id (PostgreSQL 15+). The referenced key is
-- the unique index storage_organization_id_id_key from step 02 (a foreign key may reference a
-- unique index directly; promoting it to a constraint would cost an ACCESS EXCLUSIVE lock, and
-- dropping that constraint in the down would drop step 02's index with it).
ALTER TABLE posts
  ADD CONSTRAINT posts_image_id_fkey
  FOREIGN KEY (organization_id, image_id) REFERENCES storage (organization_id, id)
  ON DELETE SET NULL (image_id)
  NOT VALID;

ALTER TABLE "user"
  ADD CONSTRAINT user_image_id_fkey
  FOREIGN KEY (image_id) REFERENCES storage (id)
  ON DELETE SET NULL
  NOT VALID;
