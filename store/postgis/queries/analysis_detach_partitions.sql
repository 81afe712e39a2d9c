-- Detaches version {{version}}'s partition of cell_blocks. This locks the
-- partitioned table exclusively until the commit; the prune transaction
-- holding it does nothing else, and gives up after lock_timeout rather than
-- queueing readers behind a long read. The detached table is dropped after
-- the commit (analysis_orphan_partitions.sql), under its own lock only: a
-- drop's commit unlinks a gigabyte of files, which would stall readers under
-- the lock of the partitioned table.
ALTER TABLE cell_blocks DETACH PARTITION {{cell_blocks}}
