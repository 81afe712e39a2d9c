-- Builds the primary keys of version {{version}}'s partitions after their rows
-- are in (sorted builds, far cheaper than maintaining the keys row by row) and
-- gathers their statistics from a small sample, so reads are planned well
-- right after the commit. Each key matches the partitioned table's, so ATTACH
-- PARTITION adopts it instead of building another.
ALTER TABLE {{cell_stats}} ADD PRIMARY KEY (version, res, sector, cell);
ALTER TABLE {{cell_blocks}} ADD PRIMARY KEY (version, res, sector, block);
SET LOCAL default_statistics_target = 10;
ANALYZE {{cell_stats}}, {{cell_blocks}};
RESET default_statistics_target
