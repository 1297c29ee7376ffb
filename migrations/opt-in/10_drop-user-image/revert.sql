-- Opt-in drop of "user".image, undone (one transaction): the column comes back with the values
-- it held at the drop, and the user contract's settle trigger on it. ACCESS EXCLUSIVE on "user"
-- in short attempts, held while the values are written back (one pass; README gives the time):
-- nothing writes image while it is gone, so nothing newer can be overwritten.
SET LOCAL statement_timeout = 0;
\ir ../../../sql/guards/rows_visible.sql
\ir ../../../sql/lib/lock_retry.sql
SELECT image_ref_lock('"user"', 'ACCESS EXCLUSIVE', :lock_attempt_ms, :lock_wait_ms);

ALTER TABLE "user" ADD COLUMN IF NOT EXISTS image text;
UPDATE "user" u SET image = d.image FROM user_image_dropped d WHERE d.user_id = u.id;

CREATE OR REPLACE TRIGGER image_ref_archive_settle_image
  AFTER UPDATE OF image ON "user"
  FOR EACH ROW EXECUTE FUNCTION image_ref_archive_user_settle();

DROP TABLE IF EXISTS user_image_dropped;
