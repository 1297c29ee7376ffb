-- Reference (b) (bench/backfill.ts): the pack's page walk with nothing else. Batches of
-- consecutive heap pages (a TID range, about batch_size rows by the planner's rows per page, as
-- sql/batches.sql sizes them), each one UPDATE ... FROM by the mapping rule, committed on its
-- own; no row locks taken ahead, no retries, no triggers, no foreign key (run on the table of
-- backfill_reference_table.sql). Writes only the rows that map, as the pack does.
-- CALL it alone, outside a transaction block (backfill_reference_call.sql).
CREATE OR REPLACE PROCEDURE image_ref_bench_reference_walk(batch_size integer, INOUT written bigint, INOUT batches integer, INOUT slowest_ms numeric)
LANGUAGE plpgsql
AS $$
DECLARE
  nblocks bigint := pg_relation_size('posts') / current_setting('block_size')::int;
  pages   integer;
  blk     bigint := 0;
  m       bigint;
  t0      timestamptz;
BEGIN
  SELECT greatest(1, floor(batch_size / CASE WHEN c.relpages > 0 AND c.reltuples > 0
                                             THEN c.reltuples / c.relpages ELSE 50 END))::int
    INTO pages
    FROM pg_class c WHERE c.oid = 'posts'::regclass;
  written := 0; batches := 0; slowest_ms := 0;
  WHILE blk < nblocks LOOP
    t0 := clock_timestamp();
    UPDATE posts p
       SET image_id = r.storage_id
      FROM (SELECT q.ctid AS tid, image_ref_post_storage_id(q.organization_id, q.image_key) AS storage_id
              FROM posts q
             WHERE q.ctid >= format('(%s,0)', blk)::tid AND q.ctid < format('(%s,0)', blk + pages)::tid
               AND q.image_key IS NOT NULL AND q.image_id IS NULL) r
     WHERE p.ctid = r.tid
       AND r.storage_id IS NOT NULL;
    GET DIAGNOSTICS m = ROW_COUNT;
    COMMIT;
    written    := written + m;
    batches    := batches + 1;
    slowest_ms := greatest(slowest_ms, round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1));
    blk        := blk + pages;
  END LOOP;
END
$$;
