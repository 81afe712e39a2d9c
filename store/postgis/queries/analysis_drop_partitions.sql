-- Drops version {{version}}'s partitions of cell_stats and cell_blocks. This
-- locks both partitioned tables exclusively until the commit; the prune
-- transaction holding it does nothing else, and gives up after lock_timeout
-- rather than queueing readers behind a long read.
DROP TABLE IF EXISTS {{cell_stats}}, {{cell_blocks}}
