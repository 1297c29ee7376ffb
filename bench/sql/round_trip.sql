-- The floor: one round trip that does no work. Measured next to the queries, it shows how much
-- of their latency (and of their tail, on a busy machine) is the connection and the scheduler.
SELECT 1 AS one;
