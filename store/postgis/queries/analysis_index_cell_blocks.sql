-- Builds the primary key of version {{version}}'s partition of cell_blocks
-- after its rows are in (one sorted pass) and gathers its statistics from a
-- small sample, so reads are planned well right after the commit. The key
-- matches the partitioned table's, so ATTACH PARTITION adopts it instead of
-- building another.
ALTER TABLE {{cell_blocks}} ADD PRIMARY KEY (version, res, sector, cell);
SET LOCAL default_statistics_target = 10;
ANALYZE {{cell_blocks}};
RESET default_statistics_target
