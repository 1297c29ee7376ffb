-- The pack's batched backfill of posts (procedure from sql/backfill.sql), on a scratch copy
-- taken after step 05 (just before the backfill), with fixed batches (target_ms 0) as the
-- references, and the replica-lag ceiling on as step 06 has it (its check runs after every
-- batch). Sent alone, outside a transaction block, so each batch commits.
-- $1 batch size, $2 the lag ceiling (BACKFILL_MAX_LAG_MS).
CALL image_ref_batches('posts', 'backfill', $1, 0, 0, 60000, $2);
