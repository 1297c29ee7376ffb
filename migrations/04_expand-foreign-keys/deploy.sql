-- Expand, part 4: the foreign keys, NOT VALID, and the triggers that keep a post's image in its
-- organization. Adding a key locks both tables in SHARE ROW EXCLUSIVE; NOT VALID skips the scan
-- of existing rows but checks every new write from now on. 07_validate-foreign-keys checks the
-- old rows later, under a weak lock. One transaction (creating a trigger takes SHARE ROW
-- EXCLUSIVE too, on posts and storage: already held).

-- The locks of this transaction (and of 05, which shares it under the CLI's default
-- --single-transaction), all taken at once in short attempts: sql/lib/lock_retry.sql.
SET LOCAL statement_timeout = 0;
\ir ../../sql/lib/lock_retry.sql
SELECT image_ref_lock('posts, "user", storage', 'SHARE ROW EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

-- Both keys are the plain kind Drizzle declares (foreignKey(...).onDelete('set null')): deleting
-- a file nulls image_id and nothing else. That a post's file is its own organization's is the
-- job of the triggers below (README, "The foreign keys, as Drizzle writes them").
ALTER TABLE posts
  ADD CONSTRAINT posts_image_id_fkey
  FOREIGN KEY (image_id) REFERENCES storage (id)
  ON DELETE SET NULL
  NOT VALID;

ALTER TABLE "user"
  ADD CONSTRAINT user_image_id_fkey
  FOREIGN KEY (image_id) REFERENCES storage (id)
  ON DELETE SET NULL
  NOT VALID;

-- Tenant integrity: a post shows only a file of its own organization. The foreign key
-- posts (image_id) -> storage (id) says the file exists; these triggers say whose it is. Kept
-- for good, through the contracts: only 04's down drops them. drizzle-kit does not see
-- triggers, so the app's Drizzle schema declares the plain key and nothing else.
--
-- Why not the composite key posts (organization_id, image_id) -> storage (organization_id, id)
-- that did this before: Drizzle cannot write its ON DELETE SET NULL (image_id), and its own
-- SET NULL of both columns fails on posts.organization_id NOT NULL (README, "The foreign keys, as Drizzle writes them").
--
-- Concurrency (READ COMMITTED, the default): a post's check locks the file FOR KEY SHARE, the
-- lock the foreign key's own check takes; a file's move to another organization upgrades its row
-- lock to FOR UPDATE, which waits for every transaction holding that lock, then looks at posts
-- in a new snapshot. So a post and a move that race are serialized and the second one refuses.
-- Both are SECURITY DEFINER with search_path pinned (sql/lib/pin_functions.sql): DML-only app
-- roles need no grant. Row-level security: the owner sees every row unless storage is FORCE ROW
-- LEVEL SECURITY; where a forced policy hides the file from this check, the post is refused, so
-- a tenant policy lets a post take only a file the policy shows (never "not found, so fine").

-- posts: a new image_id, or a post moved to another organization with its image.
CREATE OR REPLACE FUNCTION image_ref_post_image_organization()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
  file_organization text;
BEGIN
  SELECT s.organization_id INTO file_organization FROM storage s WHERE s.id = NEW.image_id FOR KEY SHARE;
  -- The foreign key's check runs first (it bypasses row-level security): the row exists, so not
  -- finding it means a policy hides it from this check.
  IF NOT FOUND THEN
    RAISE EXCEPTION 'posts %: image_id % is hidden from the organization check by row-level security on storage, the post is in organization %',
      NEW.id, NEW.image_id, NEW.organization_id
      USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            COLUMN = 'image_id', CONSTRAINT = 'image_ref_same_organization',
            HINT = 'A post can show only a file uploaded to its own organization.';
  END IF;
  IF file_organization IS DISTINCT FROM NEW.organization_id THEN
    RAISE EXCEPTION 'posts %: image_id % is a file of %, the post is in organization %',
      NEW.id, NEW.image_id, coalesce('organization ' || file_organization, 'no organization'), NEW.organization_id
      USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            COLUMN = 'image_id', CONSTRAINT = 'image_ref_same_organization',
            HINT = 'A post can show only a file uploaded to its own organization.';
  END IF;
  RETURN NULL;
END
$$;

-- storage: a file that posts show cannot move to another organization (or to none).
CREATE OR REPLACE FUNCTION image_ref_storage_organization()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
  post_id           text;
  post_organization text;
BEGIN
  -- Waits for transactions that are writing a post with this file (they hold FOR KEY SHARE).
  PERFORM 1 FROM storage s WHERE s.id = OLD.id FOR UPDATE;
  SELECT p.id, p.organization_id INTO post_id, post_organization
    FROM posts p
   WHERE p.image_id = OLD.id
     AND p.organization_id IS DISTINCT FROM NEW.organization_id
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'storage %: posts % of organization % shows it; it cannot move to %',
      OLD.id, post_id, post_organization, coalesce('organization ' || NEW.organization_id, 'no organization')
      USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            COLUMN = 'organization_id', CONSTRAINT = 'image_ref_same_organization',
            HINT = 'Remove the image from those posts first (SET image_id = NULL).';
  END IF;
  RETURN NEW;
END
$$;

-- AFTER triggers: they see the row as written, after every BEFORE trigger (the transition's
-- sync trigger fills image_id), and run after the foreign key's check (triggers fire in name
-- order, and the key's are named "RI_ConstraintTrigger_…"). The WHEN clauses keep every other
-- write free, the storage delete's SET NULL included: it sets image_id to NULL, and a trigger
-- whose WHEN is false is not even queued.
CREATE OR REPLACE TRIGGER image_ref_same_organization_insert
  AFTER INSERT ON posts
  FOR EACH ROW WHEN (NEW.image_id IS NOT NULL)
  EXECUTE FUNCTION image_ref_post_image_organization();

--
-- The backfill's own writes (06, sql/backfill.sql) are left out: each batch makes this check
-- itself, for all its rows at once (it locks every file it writes FOR KEY SHARE and reads its
-- organization again), which costs far less than this trigger on every row. They are told
-- apart by image_ref.writer = 'backfill' (set by sql/batches.sql for the batch's transaction),
-- and only for a role with the privileges of posts' owner: any session can set that setting,
-- but only the owner could skip this check anyway (ALTER TABLE … DISABLE TRIGGER). The owner's
-- OID is written into the WHEN here, so renaming the role changes nothing; after ALTER TABLE …
-- OWNER TO (or with the old role dropped: pg_has_role is then false, not an error), the new
-- owner's backfill gets the per-row check, which is slower, not wrong.
DO $do$
BEGIN
  EXECUTE format($t$
    CREATE OR REPLACE TRIGGER image_ref_same_organization_update
      AFTER UPDATE OF image_id, organization_id ON posts
      FOR EACH ROW WHEN (NEW.image_id IS NOT NULL
                         AND (NEW.image_id IS DISTINCT FROM OLD.image_id
                              OR NEW.organization_id IS DISTINCT FROM OLD.organization_id)
                         AND NOT (coalesce(current_setting('image_ref.writer', true), '') = 'backfill'
                                  AND pg_has_role(%L::oid, 'USAGE')))
      EXECUTE FUNCTION image_ref_post_image_organization()$t$,
    (SELECT c.relowner FROM pg_class c WHERE c.oid = 'posts'::regclass));
END
$do$;

-- BEFORE: refuses before the row is written.
CREATE OR REPLACE TRIGGER image_ref_same_organization
  BEFORE UPDATE OF organization_id ON storage
  FOR EACH ROW WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id)
  EXECUTE FUNCTION image_ref_storage_organization();

\ir ../../sql/lib/pin_functions.sql
