-- Expand, part 1, down: drop the image_id columns (ACCESS EXCLUSIVE for an instant each).
-- posts before "user": an app INSERT INTO posts holds posts and then locks "user" for its
-- foreign key check, so taking "user" first could deadlock with it.

SET LOCAL lock_timeout = '3s';

ALTER TABLE posts  DROP COLUMN IF EXISTS image_id;
ALTER TABLE "user" DROP COLUMN IF EXISTS image_id;
