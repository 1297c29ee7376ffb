-- The reference's table (bench/backfill.ts): on a scratch copy taken after step 05, posts keeps
-- its columns, rows and indexes as the pack leaves them, and loses every trigger and foreign key
-- of its own (the sync trigger, the same-organization triggers, posts_image_id_fkey, and the
-- app's keys to organization and "user", which an image_id write never checks anyway). Keys
-- that point at posts (post_likes) stay: an UPDATE that keeps the primary key never fires them.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = 'posts'::regclass AND NOT t.tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %I ON posts', r.tgname);
  END LOOP;
  FOR r IN SELECT c.conname FROM pg_constraint c WHERE c.conrelid = 'posts'::regclass AND c.contype = 'f' LOOP
    EXECUTE format('ALTER TABLE posts DROP CONSTRAINT %I', r.conname);
  END LOOP;
END
$$;
