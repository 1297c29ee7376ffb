-- The design of posts' foreign key before issue 9, for bench/fk-delete.ts only: a composite key
-- to a unique (organization_id, id) index, which kept posts in their organization by itself but
-- which Drizzle cannot write (ON DELETE SET NULL of one column of the key). Replaces the
-- single-column key and the same-organization triggers on a copy of the migrated database.
DROP TRIGGER image_ref_same_organization_insert ON posts;
DROP TRIGGER image_ref_same_organization_update ON posts;
DROP TRIGGER image_ref_same_organization ON storage;
ALTER TABLE posts DROP CONSTRAINT posts_image_id_fkey;
CREATE UNIQUE INDEX storage_organization_id_id_key ON storage (organization_id, id);
ALTER TABLE posts
  ADD CONSTRAINT posts_image_id_fkey
  FOREIGN KEY (organization_id, image_id) REFERENCES storage (organization_id, id)
  ON DELETE SET NULL (image_id);
