-- Contract, user, part 1 (one transaction): the archive for the unmapped old values. From the
-- moment it exists, the sync trigger keeps it exact for every row the app writes
-- (sql/sync/user.sql); part 2 (09_contract-user.archive.sql) copies the rest in batches.
-- Creating a table locks nothing the app uses.
SET LOCAL statement_timeout = 0;

CREATE TABLE IF NOT EXISTS user_image_archive (
  user_id     text PRIMARY KEY,
  image       text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
