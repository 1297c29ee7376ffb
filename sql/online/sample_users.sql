-- Harness only: a fixed sample of users for the writers.
SELECT id FROM "user" ORDER BY md5(id) LIMIT $1
