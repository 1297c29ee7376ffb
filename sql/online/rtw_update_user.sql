-- Harness only: the write half of a read-then-write transaction on "user". It touches neither
-- image column.
UPDATE "user" SET name = $2, updated_at = now() WHERE id = $1
