-- The session's search_path for the pack's own statements: only the schema it migrates ($1), as
-- node-pg-migrate sets it from --schema. Used where the pack runs SQL outside node-pg-migrate
-- (make backfill), so both paths resolve the same tables.
SELECT set_config('search_path', quote_ident($1::text), false)
