-- Harness only (make verify-online): the size of the run, for the report.
SELECT count(*)::bigint AS n FROM posts
