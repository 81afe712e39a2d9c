-- Builds the primary key of version {{version}}'s partition of cell_blocks
-- after its rows are in and gathers its statistics from a small sample, as
-- analysis_index_cell_stats.sql does for cell_stats.
ALTER TABLE {{cell_blocks}} ADD PRIMARY KEY (version, res, sector, block);
SET LOCAL default_statistics_target = 10;
ANALYZE {{cell_blocks}};
RESET default_statistics_target
