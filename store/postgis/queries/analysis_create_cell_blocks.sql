-- Creates version {{version}}'s partition of cell_blocks (migration 00008) as a
-- plain table, inside the save transaction that bumped the data version; the
-- save COPYs the blocks in, samples the table's statistics
-- (analysis_analyze_cell_blocks.sql) and attaches it
-- (analysis_attach_partitions.sql) just before the commit. The columns are
-- those of the partitioned table in the same order; the CHECK constraint lets
-- ATTACH PARTITION skip its validating scan, and the primary key matches the
-- partitioned table's, so the attach adopts it. The columns are listed
-- explicitly rather than with LIKE, which would lock the partitioned table
-- for the whole transaction.
--
-- The blocks arrive in (resolution, sector, first cell) order, so each key
-- goes to the last leaf (about 150,000 keys for a million firms), and the key
-- needs no pass over the gigabyte of the table afterwards, as a key built
-- after the COPY does. A block holds at most about 7,900 bytes of data: with
-- toast_tuple_target 8160 and STORAGE MAIN its row stays in line,
-- uncompressed, with no TOAST table to write.
CREATE TABLE {{cell_blocks}} (
    version bigint   NOT NULL CHECK (version = {{version}}),
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    cell    bigint   NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, cell)
) WITH (toast_tuple_target = 8160);
ALTER TABLE {{cell_blocks}} ALTER COLUMN data SET STORAGE MAIN
