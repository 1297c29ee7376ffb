-- Guard of the downs before 09 (08's, 05's): 09_contract-user stopped after it detached the
-- user sync trigger, and its clear pass may have moved keys out of "user".image already (into
-- user_image_archive, or only image_id holds them). node-pg-migrate did not record 09, so a
-- down would start below it and lose them. Refuse; running up again finishes 09, and its down
-- then puts every key back.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_trigger
              WHERE tgrelid = to_regclass('"user"') AND tgname = 'image_ref_archive_settle_image')
     AND NOT EXISTS (SELECT 1 FROM pg_trigger
                      WHERE tgrelid = to_regclass('"user"') AND tgname = 'image_ref_sync') THEN
    RAISE EXCEPTION 'down refused, nothing changed: 09_contract-user stopped halfway, after moving object keys out of "user".image'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run up again to finish 09 (it resumes where it stopped), then roll back through its down, which puts every key back.';
  END IF;
END
$$;
