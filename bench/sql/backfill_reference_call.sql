-- Reference (b): the page walk of backfill_reference_batched.sql. $1 batch size (rows).
-- Sent alone, outside a transaction block, so each batch commits.
CALL image_ref_bench_reference_walk($1, 0, 0, 0);
