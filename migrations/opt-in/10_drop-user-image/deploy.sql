-- Opt-in, after the user contract (09): drop "user".image. Not part of the plan a plain `up`
-- runs: better-auth reads and writes "user".image (provider avatar URLs at social sign-in) and
-- refuses a schema without it, unless it is configured as the README's "better-auth
-- configuration" says. So it refuses unless asked for by name:
--   PGOPTIONS='-c image_ref.drop_user_image=yes' npx node-pg-migrate up -m migrations/opt-in
-- The URLs the column still holds are kept in user_image_dropped; the down puts them back.
-- One transaction, ACCESS EXCLUSIVE on "user" in short attempts, held while the URLs are copied
-- (one pass over "user"; README gives the measured time).
SET LOCAL statement_timeout = 0;
\ir ../../../sql/guards/rows_visible.sql
\ir ../../../sql/lib/lock_retry.sql

DO $$
BEGIN
  IF current_setting('image_ref.drop_user_image', true) IS DISTINCT FROM 'yes' THEN
    RAISE EXCEPTION 'dropping "user".image refused, nothing changed: the step is opt-in, because better-auth reads and writes "user".image unless it is configured not to'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Configure better-auth as the README''s "better-auth configuration" says, deploy it, then run this step with PGOPTIONS=''-c image_ref.drop_user_image=yes''.';
  END IF;
  IF to_regclass('user_image_archive') IS NULL
     OR EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '"user"'::regclass AND tgname = 'image_ref_sync') THEN
    RAISE EXCEPTION 'dropping "user".image refused, nothing changed: the user contract (09_contract-user) is not applied'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Apply the pack first (npx node-pg-migrate up -m migrations), then this step.';
  END IF;
END
$$;

SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

CREATE TABLE IF NOT EXISTS user_image_dropped (
  user_id    text PRIMARY KEY,
  image      text NOT NULL,
  dropped_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO user_image_dropped (user_id, image)
SELECT u.id, u.image FROM "user" u WHERE u.image IS NOT NULL
ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, dropped_at = now();

-- The contract's settle trigger on image depends on the column.
DROP TRIGGER IF EXISTS image_ref_archive_settle_image ON "user";
ALTER TABLE "user" DROP COLUMN IF EXISTS image;
