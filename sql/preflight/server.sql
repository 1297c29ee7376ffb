-- Preflight: where it ran.
SELECT current_database()               AS database,
       current_schema()                 AS schema,
       current_setting('server_version') AS server_version,
       pg_is_in_recovery()              AS standby;
