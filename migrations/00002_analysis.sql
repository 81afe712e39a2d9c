-- Analysis results, versioned by data version. A run's rows are written in one
-- transaction that also moves analysis_current to it, so readers see either
-- the old or the new version, never a mix.

-- +goose Up
-- params (and clusters.profile) are json, not jsonb, so they come back byte for
-- byte as the analysis wrote them.
CREATE TABLE analysis_runs (
    version     bigint PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    params      json
);

-- analysis_current points at the run readers see; empty before the first run.
CREATE TABLE analysis_current (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL REFERENCES analysis_runs (version)
);

-- cell_stats holds one row per (version, resolution, sector key, H3 cell).
-- cell is the uint64 H3 index as a signed bigint (see establishments.h3).
-- lon/lat is the cell centre and geom the same point, so tile queries select
-- the cells of a bounding box with the GiST index; all three are NULL when
-- cell is not a valid H3 index.
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
CREATE INDEX cell_stats_geom_idx ON cell_stats USING gist (geom);

-- clusters holds cluster footprints; cells are bigint H3 indexes as above.
CREATE TABLE clusters (
    version             bigint   NOT NULL REFERENCES analysis_runs (version) ON DELETE CASCADE,
    id                  text     NOT NULL,
    sector              text     NOT NULL,
    res                 smallint NOT NULL,
    name                text     NOT NULL DEFAULT '',
    cells               bigint[] NOT NULL,
    geom                geometry(MultiPolygon, 4326) NOT NULL,
    firms               integer  NOT NULL,
    employees           double precision NOT NULL,
    lq                  double precision,
    share               double precision NOT NULL,
    stars               smallint NOT NULL,
    suppressed          boolean  NOT NULL,
    institutions_inside jsonb,
    institutions_near   jsonb,
    roles_present       text[],
    roles_missing       text[],
    completeness        double precision,
    profile             json,
    PRIMARY KEY (version, id)
);
CREATE INDEX clusters_version_sector_res_idx ON clusters (version, sector, res);
CREATE INDEX clusters_geom_idx ON clusters USING gist (geom);

-- region_stats holds one row per (version, level, sector key, region code).
CREATE TABLE region_stats (
    version     bigint   NOT NULL REFERENCES analysis_runs (version) ON DELETE CASCADE,
    level       text     NOT NULL,
    code        text     NOT NULL,
    sector      text     NOT NULL,
    firms       integer  NOT NULL,
    employees   double precision NOT NULL,
    lq          double precision,
    lq_employed double precision,
    stars       smallint NOT NULL,
    strong      boolean  NOT NULL,
    suppressed  boolean  NOT NULL,
    entries     integer  NOT NULL,
    exits       integer  NOT NULL,
    PRIMARY KEY (version, level, sector, code)
);

-- +goose Down
DROP TABLE region_stats;
DROP TABLE clusters;
DROP TABLE cell_stats;
DROP TABLE analysis_current;
DROP TABLE analysis_runs;
