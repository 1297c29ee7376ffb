-- Preflight: opens the one transaction every preflight query runs in. READ ONLY: the server
-- itself refuses any write in it (SQLSTATE 25006), so the preflight is safe on production and
-- on a hot standby. REPEATABLE READ: every count comes from the same snapshot, so the numbers
-- add up even while the app writes.
-- sql/preflight/end.sql ends it (the linter sees one file at a time):
-- squawk-ignore ban-uncommitted-transaction
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;

-- Reads take ACCESS SHARE; behind a migration's ACCESS EXCLUSIVE they would wait. Give up
-- after a few seconds instead (rerun the preflight later).
SET LOCAL lock_timeout = '5s';
