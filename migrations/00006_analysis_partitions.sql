-- cell_stats and cell_blocks become tables list-partitioned by version, one
-- partition per analysis version named cell_stats_<version> and
-- cell_blocks_<version>.
--
-- An analysis save builds its version's two partitions as plain tables inside
-- its transaction: rows are copied in without any index, the primary keys are
-- built afterwards (sorted builds), and the tables are attached just before
-- the commit. Readers see the previous version until then. Pruning an old
-- version drops its partitions instead of deleting its rows one by one.
--
-- Changes from 00002 and 00004:
--   - the foreign keys to analysis_runs are gone: the store creates a
--     version's partitions in the transaction that inserts its run, and drops
--     them in the transaction that deletes the run;
--   - cell_stats.geom is gone: no query reads it since its GiST index went
--     (00004); reads of the cells in a box use lon, lat and the primary key.

-- +goose Up
ALTER TABLE cell_stats RENAME TO cell_stats_v5;
ALTER TABLE cell_stats_v5 RENAME CONSTRAINT cell_stats_pkey TO cell_stats_v5_pkey;
ALTER TABLE cell_blocks RENAME TO cell_blocks_v5;
ALTER TABLE cell_blocks_v5 RENAME CONSTRAINT cell_blocks_pkey TO cell_blocks_v5_pkey;

CREATE TABLE cell_stats (
    version             bigint   NOT NULL,
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
    institutions        jsonb,
    PRIMARY KEY (version, res, sector, cell)
) PARTITION BY LIST (version);

CREATE TABLE cell_blocks (
    version bigint   NOT NULL,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, block)
) PARTITION BY LIST (version);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose StatementBegin
DO $$
DECLARE
    v bigint;
BEGIN
    FOR v IN SELECT version FROM analysis_runs ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF cell_stats FOR VALUES IN (%s)', 'cell_stats_' || v, v);
        EXECUTE format('CREATE TABLE %I PARTITION OF cell_blocks FOR VALUES IN (%s)', 'cell_blocks_' || v, v);
    END LOOP;
END
$$;
-- +goose StatementEnd

INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
SELECT version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions
FROM cell_stats_v5;

INSERT INTO cell_blocks (version, res, sector, block, data)
SELECT version, res, sector, block, data FROM cell_blocks_v5;

DROP TABLE cell_stats_v5;
DROP TABLE cell_blocks_v5;

-- +goose Down
ALTER TABLE cell_stats RENAME TO cell_stats_v6;
ALTER TABLE cell_stats_v6 RENAME CONSTRAINT cell_stats_pkey TO cell_stats_v6_pkey;
ALTER TABLE cell_blocks RENAME TO cell_blocks_v6;
ALTER TABLE cell_blocks_v6 RENAME CONSTRAINT cell_blocks_pkey TO cell_blocks_v6_pkey;

CREATE TABLE cell_stats (
    version             bigint   NOT NULL REFERENCES analysis_runs (version) ON DELETE CASCADE,
    res                 smallint NOT NULL,
    sector              text     NOT NULL,
    cell                bigint   NOT NULL,
    lon                 double precision,
    lat                 double precision,
    geom                geometry(Point, 4326)
                        GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
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
    institutions        jsonb,
    PRIMARY KEY (version, res, sector, cell)
);

CREATE TABLE cell_blocks (
    version bigint   NOT NULL REFERENCES analysis_runs (version) ON DELETE CASCADE,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, block)
);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Rows of a version without a run (none, if only the store wrote them) have
-- nothing to belong to.
INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
SELECT version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions
FROM cell_stats_v6
WHERE version IN (SELECT version FROM analysis_runs);

INSERT INTO cell_blocks (version, res, sector, block, data)
SELECT version, res, sector, block, data FROM cell_blocks_v6
WHERE version IN (SELECT version FROM analysis_runs);

-- Dropping a partitioned table drops its partitions.
DROP TABLE cell_stats_v6;
DROP TABLE cell_blocks_v6;
