-- Creates version {{version}}'s partition of cell_blocks (migration 00008) as a
-- plain table without indexes, inside the save transaction that bumped the
-- data version; the save COPYs the blocks in, indexes the table
-- (analysis_index_cell_blocks.sql) and attaches it
-- (analysis_attach_partitions.sql) just before the commit. The columns are
-- those of the partitioned table in the same order; the CHECK constraint lets
-- ATTACH PARTITION skip its validating scan. The columns are listed
-- explicitly rather than with LIKE, which would lock the partitioned table
-- for the whole transaction. A block holds at most about 7,900 bytes of data:
-- with toast_tuple_target 8160 and STORAGE MAIN its row stays in line,
-- uncompressed, one row per page, with no TOAST table to write.
SET LOCAL maintenance_work_mem = '256MB';
CREATE TABLE {{cell_blocks}} (
    version bigint   NOT NULL CHECK (version = {{version}}),
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    cell    bigint   NOT NULL,
    data    bytea    NOT NULL
) WITH (toast_tuple_target = 8160);
ALTER TABLE {{cell_blocks}} ALTER COLUMN data SET STORAGE MAIN
