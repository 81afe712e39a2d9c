-- Attaches version {{version}}'s partition of cell_blocks; its CHECK
-- constraint proves the bounds, so there is no scan. This runs last, right
-- before the current-version pointer moves and the commit.
--
-- The partitioned table is locked exclusively first, until the commit (the
-- store takes the lock in short attempts, see attachPartitions): a reader
-- plans its query (and fixes the set of partitions it reads) before it takes
-- the snapshot it executes with, so without the lock a reader that planned
-- before the commit and executed after it would look for the new version
-- among the old partitions and find no rows. With it, a reader either
-- finishes before the attach or plans after the commit. ONLY: readers lock
-- the partitioned table first, and locking the partitions too would wait for
-- (and cancel) an autovacuum of the previous version's partition.
LOCK TABLE ONLY cell_blocks IN ACCESS EXCLUSIVE MODE;
ALTER TABLE cell_blocks ATTACH PARTITION {{cell_blocks}} FOR VALUES IN ({{version}})
