-- Preflight: ends its transaction. ROLLBACK, not COMMIT: it never had anything to keep.
-- sql/preflight/begin.sql began it (the linter sees one file at a time):
-- squawk-ignore transaction-nesting
ROLLBACK;
