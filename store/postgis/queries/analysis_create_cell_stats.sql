-- Creates version {{version}}'s partition of cell_stats (migration 00006) as a
-- plain table without indexes, inside the save transaction that bumped the
-- data version; analysis_index_cell_stats.sql indexes it and
-- analysis_attach_partitions.sql attaches it. The columns are those of the
-- partitioned table in the same order. The CHECK constraint lets ATTACH
-- PARTITION skip its validating scan. The columns are listed explicitly
-- rather than with LIKE, which would lock the partitioned table for the whole
-- transaction. Settings: the index build sorts in memory.
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
)
