-- Creates the partitions of version {{version}} of cell_stats and cell_blocks
-- (migration 00006) as plain tables without indexes, inside the save
-- transaction; analysis_index_partitions.sql indexes them and
-- analysis_attach_partitions.sql attaches them. The columns are those of the
-- partitioned tables in the same order. The CHECK constraints let ATTACH
-- PARTITION skip its validating scan. The tables are listed explicitly rather
-- than with LIKE, which would lock the partitioned tables for the whole
-- transaction. Settings: index builds sort in memory.
SET LOCAL maintenance_work_mem = '512MB';
CREATE TABLE {{cell_stats}} (
    version             bigint   NOT NULL CHECK (version = {{version}}),
    res                 smallint NOT NULL,
    sector              text     NOT NULL,
    cell                bigint   NOT NULL,
    lon                 double precision,
    lat                 double precision,
    firms               integer  NOT NULL,
    closed              integer  NOT NULL,
    employees           double precision NOT NULL,
    employees_estimated double precision NOT NULL,
    imprecise           integer  NOT NULL,
    lq                  double precision,
    gi_z                double precision,
    gi_p                double precision,
    gi_bin              smallint NOT NULL,
    suppressed          boolean  NOT NULL,
    institutions        jsonb
);
CREATE TABLE {{cell_blocks}} (
    version bigint   NOT NULL CHECK (version = {{version}}),
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL
);
ALTER TABLE {{cell_blocks}} ALTER COLUMN data SET STORAGE EXTERNAL
