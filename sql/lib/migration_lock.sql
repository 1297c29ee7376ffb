-- node-pg-migrate's advisory lock ($1 = its PG_MIGRATE_LOCK_ID), taken in 'fail' mode: false when
-- another run holds it. Taken before reading pgmigrations, so what is still to run is decided
-- under the same lock as the run itself, and no other run can move it in between.
SELECT pg_try_advisory_lock($1::bigint) AS locked
