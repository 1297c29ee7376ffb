-- The pack's batched backfill of posts (procedure from sql/backfill.sql), on a scratch copy
-- taken after step 05 (just before the backfill), with fixed batches (target_ms 0) as the
-- references. Sent alone, outside a transaction block, so each batch commits.
-- $1 batch size.
CALL image_ref_batches('posts', 'backfill', $1, 0, 0, 60000);
