-- After 07: both foreign keys are validated.
SELECT format('%s is validated', conname) AS "check", convalidated AS ok
  FROM pg_constraint
 WHERE conname IN ('posts_image_id_fkey', 'user_image_id_fkey')
   AND connamespace = current_schema()::regnamespace;
