-- Whether the schema the pack is pointed at ($1, MIGRATE_SCHEMA) exists. Read-only.
SELECT to_regnamespace(quote_ident($1::text)) IS NOT NULL AS present
