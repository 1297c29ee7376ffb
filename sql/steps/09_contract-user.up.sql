-- Contract, user: drop "user".image. One transaction: it refuses with nothing changed when the
-- data is not in the state the backfill guarantees.
--
-- WARNING: better-auth treats "user".image as a core field. Apps that still map it (the
-- default) break on sign-in and profile reads once it is gone. Stop before this migration
-- until the app maps image elsewhere (see README: "Stopping before the user contract").

SET LOCAL lock_timeout = '3s';

-- SHARE blocks writes (not reads) from the check to the drop; see 08.
LOCK TABLE "user" IN SHARE MODE;

DO $$
DECLARE
  unmapped_mappable bigint;
  disagreeing       bigint;
  examples          text;
BEGIN
  SELECT count(*) FILTER (WHERE u.image_id IS NULL AND u.image IS NOT NULL
                            AND image_ref_user_storage_id(u.image) IS NOT NULL),
         count(*) FILTER (WHERE u.image_id IS NOT NULL AND u.image IS DISTINCT FROM s.file_key),
         string_agg(u.id, ', ' ORDER BY u.id) FILTER (WHERE
              (u.image_id IS NULL AND u.image IS NOT NULL AND image_ref_user_storage_id(u.image) IS NOT NULL)
           OR (u.image_id IS NOT NULL AND u.image IS DISTINCT FROM s.file_key))
    INTO unmapped_mappable, disagreeing, examples
    FROM "user" u
    LEFT JOIN storage s ON s.id = u.image_id
   WHERE u.image IS NOT NULL OR u.image_id IS NOT NULL;

  IF unmapped_mappable > 0 OR disagreeing > 0 THEN
    RAISE EXCEPTION 'contract refused, nothing changed: "user" is not backfilled: % rows have a mappable image but no image_id, % rows have an image that disagrees with image_id (users: %)',
      unmapped_mappable, disagreeing, left(examples, 300)
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run the backfill again (make backfill, or sql/backfill.sql with CALL image_ref_backfill(''user'')), then run up again.';
  END IF;
END
$$;

-- Every unmapped non-null value (OAuth avatar URLs, unknown keys, blanks, variants).
CREATE TABLE user_image_archive (
  user_id     text PRIMARY KEY,
  image       text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO user_image_archive (user_id, image)
SELECT id, image FROM "user" WHERE image IS NOT NULL AND image_id IS NULL;

DROP TRIGGER image_ref_sync ON "user";
DROP FUNCTION image_ref_sync_user();
DROP FUNCTION image_ref_user_storage_id(text);
ALTER TABLE "user" DROP COLUMN image;
