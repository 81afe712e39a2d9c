-- Gathers the statistics of version {{version}}'s partition of cell_blocks
-- from a small sample once its rows are in, so reads are planned well right
-- after the commit. Its primary key, made with the table, matches the
-- partitioned table's, so ATTACH PARTITION adopts it.
SET LOCAL default_statistics_target = 10;
ANALYZE {{cell_blocks}};
RESET default_statistics_target
