-- Harness only: copies where each old value lives now into verify.old_values (a table, not a
-- view: a view on the old column would block the contract's DROP COLUMN). Before the
-- contract, and after its down, that is the old column; after it, the archive table (and, for
-- "user", the column where no key was archived).
CREATE TABLE IF NOT EXISTS verify.old_values (tbl text NOT NULL, id text NOT NULL, value text, PRIMARY KEY (tbl, id));
TRUNCATE verify.old_values;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'posts' AND column_name = 'image_key') THEN
    INSERT INTO verify.old_values SELECT 'posts', id, image_key FROM public.posts;
  ELSIF to_regclass('public.posts_image_key_archive') IS NOT NULL THEN
    INSERT INTO verify.old_values SELECT 'posts', post_id, image_key FROM public.posts_image_key_archive;
  END IF;
  -- The user contract keeps the column (provider URLs stay there for better-auth) and moves
  -- the keys out: an archived value, where there is one, is the row's old value.
  IF to_regclass('public.user_image_archive') IS NOT NULL
     AND EXISTS (SELECT 1 FROM information_schema.columns
                  WHERE table_schema = 'public' AND table_name = 'user' AND column_name = 'image') THEN
    EXECUTE 'INSERT INTO verify.old_values
             SELECT ''user'', u.id, coalesce(a.image, u.image)
               FROM public."user" u LEFT JOIN public.user_image_archive a ON a.user_id = u.id';
  ELSIF EXISTS (SELECT 1 FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = 'user' AND column_name = 'image') THEN
    INSERT INTO verify.old_values SELECT 'user', id, image FROM public."user";
  ELSIF to_regclass('public.user_image_archive') IS NOT NULL THEN
    INSERT INTO verify.old_values SELECT 'user', user_id, image FROM public.user_image_archive;
  END IF;
END
$$;
