-- Backfill idea (bench/backfill.ts): the posts sync trigger without its WHEN, so it is called for
-- every row the backfill writes, and returns at once, as before issue 13: a SECURITY DEFINER
-- plpgsql function pinned to the schema, whose declarations ran before its early return. What
-- the WHEN saves is this variant's time minus the pack's. On a scratch copy after step 05.
CREATE FUNCTION image_ref_bench_sync_posts_called()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
  has_archive boolean := to_regclass('posts_image_key_archive') IS NOT NULL;
BEGIN
  IF current_setting('image_ref.writer', true) IN ('backfill', 'restore') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'image_ref_bench_sync_posts_called: only the backfill writes here';
END
$$;
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION image_ref_bench_sync_posts_called() SET search_path = %I, pg_temp', current_schema());
END
$$;
CREATE OR REPLACE TRIGGER image_ref_sync
  BEFORE INSERT OR UPDATE ON posts
  FOR EACH ROW EXECUTE FUNCTION image_ref_bench_sync_posts_called();
