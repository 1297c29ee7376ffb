-- Contract, posts, part 1 (one transaction): the archive for the unmapped old values. From the
-- moment it exists, the sync trigger keeps it exact for every row the app writes
-- (sql/sync/posts.sql); part 2 (08_contract-posts.archive.sql) copies the rest in batches.
-- Creating a table locks nothing the app uses.
SET LOCAL statement_timeout = 0;

CREATE TABLE IF NOT EXISTS posts_image_key_archive (
  post_id     text PRIMARY KEY,
  image_key   text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
