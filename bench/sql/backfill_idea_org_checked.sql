-- Backfill idea (bench/backfill.ts): the same-organization trigger of 04 with its WHEN as before
-- issue 13, so it checks every row the backfill writes (the batch's own check of the files it
-- writes runs too). What leaving the backfill's rows out saves is this variant's time minus
-- the pack's. On a scratch copy after step 05.
CREATE OR REPLACE TRIGGER image_ref_same_organization_update
  AFTER UPDATE OF image_id, organization_id ON posts
  FOR EACH ROW WHEN (NEW.image_id IS NOT NULL
                     AND (NEW.image_id IS DISTINCT FROM OLD.image_id
                          OR NEW.organization_id IS DISTINCT FROM OLD.organization_id))
  EXECUTE FUNCTION image_ref_post_image_organization();
