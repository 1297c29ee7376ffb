-- An Index Only Scan skips the heap only for pages the visibility map marks all-visible: after a
-- VACUUM, as autovacuum would leave a table that takes few writes between its runs.
VACUUM (ANALYZE) storage;
