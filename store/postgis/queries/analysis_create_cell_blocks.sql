-- Creates version {{version}}'s partition of cell_blocks (migration 00006) as
-- a plain table without indexes, in the transaction of the save's second
-- connection, which copies the blocks in, indexes the table
-- (analysis_index_cell_blocks.sql) and commits it unattached just before the
-- save transaction attaches it (analysis_attach_partitions.sql). The columns
-- are those of the partitioned table in the same order; the CHECK constraint
-- lets ATTACH PARTITION skip its validating scan. Autovacuum stays off
-- until the attach (analysis_attach_partitions.sql turns it on): the table is
-- committed before the save, and an autovacuum of its 1 GB that started
-- meanwhile would hold the attach, whose lock attempts are shorter than the
-- wait after which a blocked lock cancels an autovacuum (deadlock_timeout).
-- Settings: the index build sorts in memory.
SET LOCAL maintenance_work_mem = '512MB';
CREATE TABLE {{cell_blocks}} (
    version bigint   NOT NULL CHECK (version = {{version}}),
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);
ALTER TABLE {{cell_blocks}} ALTER COLUMN data SET STORAGE EXTERNAL
