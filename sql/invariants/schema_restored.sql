-- After a full down, the schema is the baseline again: every column, index, constraint,
-- trigger and function the pack added is gone, and nothing of the baseline is missing.
SELECT 'schema' AS tbl, coalesce(b.kind, a.kind) || ' ' || coalesce(b.name, a.name) AS row_id,
       CASE WHEN a.name IS NULL THEN 'missing after the down: ' || b.definition
            WHEN b.name IS NULL THEN 'left behind: ' || a.definition
            ELSE format('was %s, now %s', b.definition, a.definition) END AS detail
  FROM verify.schema_before b
  FULL JOIN verify.schema_fingerprint() a ON a.kind = b.kind AND a.name = b.name
 WHERE b.name IS NULL OR a.name IS NULL OR a.definition IS DISTINCT FROM b.definition;
