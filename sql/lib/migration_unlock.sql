-- Releases node-pg-migrate's advisory lock ($1 = its PG_MIGRATE_LOCK_ID) taken by migration_lock.sql.
SELECT pg_advisory_unlock($1::bigint) AS released
