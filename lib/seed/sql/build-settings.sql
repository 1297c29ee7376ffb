-- The seeder's fast load, before step 2 (rebuild-indexes.sql) and step 3 (add-foreign-keys.sql):
-- settings local to seed()'s transaction, so nothing outlives it.
-- maintenance_work_mem: each index build sorts its keys in memory instead of in temporary files
-- (the posts primary key at 10M rows is about 0.6 GB of sort tuples); shared by the build's
-- parallel workers.
SET LOCAL maintenance_work_mem = '1GB';
-- One parallel worker per core besides the leader (PostgreSQL's default is 2; say so here, a
-- server configured with 0 would build every index serially).
SET LOCAL max_parallel_maintenance_workers = 2;
-- Each foreign key is checked with one anti-join of the two tables. 512MB (times
-- hash_mem_multiplier, 2 by default) holds a hash of the 10M posts' ids in one batch, for
-- post_likes' key.
SET LOCAL work_mem = '512MB';
