-- Detaches version {{version}}'s partitions of cell_stats and cell_blocks.
-- This locks both partitioned tables exclusively until the commit; the prune
-- transaction holding it does nothing else, and gives up after lock_timeout
-- rather than queueing readers behind a long read. The detached tables are
-- dropped after the commit (analysis_orphan_partitions.sql), each under its
-- own lock only: a drop's commit unlinks gigabytes of files, which would
-- stall readers for seconds under the lock of the partitioned tables.
ALTER TABLE cell_stats DETACH PARTITION {{cell_stats}};
ALTER TABLE cell_blocks DETACH PARTITION {{cell_blocks}}
