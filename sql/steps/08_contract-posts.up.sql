-- Contract, posts: drop posts.image_key. One transaction: it refuses with nothing changed when
-- the data is not in the state the backfill guarantees.

SET LOCAL lock_timeout = '3s';

-- SHARE blocks writes (not reads) from the check to the drop, so no write slips in between
-- and escapes the archive. DROP COLUMN then upgrades to ACCESS EXCLUSIVE for a catalog-only
-- change.
LOCK TABLE posts IN SHARE MODE;

DO $$
DECLARE
  unmapped_mappable bigint;
  disagreeing       bigint;
  examples          text;
BEGIN
  SELECT count(*) FILTER (WHERE p.image_id IS NULL AND p.image_key IS NOT NULL
                            AND image_ref_post_storage_id(p.organization_id, p.image_key) IS NOT NULL),
         count(*) FILTER (WHERE p.image_id IS NOT NULL AND p.image_key IS DISTINCT FROM s.file_key),
         string_agg(p.id, ', ' ORDER BY p.id) FILTER (WHERE
              (p.image_id IS NULL AND p.image_key IS NOT NULL
               AND image_ref_post_storage_id(p.organization_id, p.image_key) IS NOT NULL)
           OR (p.image_id IS NOT NULL AND p.image_key IS DISTINCT FROM s.file_key))
    INTO unmapped_mappable, disagreeing, examples
    FROM posts p
    LEFT JOIN storage s ON s.id = p.image_id
   WHERE p.image_key IS NOT NULL OR p.image_id IS NOT NULL;

  IF unmapped_mappable > 0 OR disagreeing > 0 THEN
    RAISE EXCEPTION 'contract refused, nothing changed: posts is not backfilled: % rows have a mappable image_key but no image_id, % rows have an image_key that disagrees with image_id (posts: %)',
      unmapped_mappable, disagreeing, left(examples, 300)
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run the backfill again (make backfill, or sql/backfill.sql with CALL image_ref_backfill(''posts'')), then run up again.';
  END IF;
END
$$;

-- Every unmapped non-null key (unknown keys, other organizations' keys, URLs, blanks, case or
-- whitespace variants), so the down can put it back exactly. Mapped keys need no copy: the
-- down reads them back from storage.file_key, which the check above proved equal.
CREATE TABLE posts_image_key_archive (
  post_id     text PRIMARY KEY,
  image_key   text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO posts_image_key_archive (post_id, image_key)
SELECT id, image_key FROM posts WHERE image_key IS NOT NULL AND image_id IS NULL;

DROP TRIGGER image_ref_sync ON posts;
DROP FUNCTION image_ref_sync_posts();
DROP FUNCTION image_ref_post_storage_id(text, text);
ALTER TABLE posts DROP COLUMN image_key;
