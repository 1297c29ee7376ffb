-- Backfill idea (bench/backfill.ts), a measurement only: posts without its foreign key, to show
-- the share of the key's per-row check (RI_FKey_check: a FOR KEY SHARE lookup of the storage
-- row). The pack cannot skip it: only a superuser can (session_replication_role = replica).
-- On a scratch copy after step 05.
ALTER TABLE posts DROP CONSTRAINT posts_image_id_fkey;
