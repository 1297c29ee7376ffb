-- Harness only: the organizations whose feeds the readers load.
SELECT id FROM organization ORDER BY id
