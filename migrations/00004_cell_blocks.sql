-- cell_blocks holds the published statistics of cell_stats packed for tiles:
-- one row per (version, resolution, sector key, block), where block is the H3
-- parent, at resolution res - 3 (0 at most), of the cells it holds. A hexagon
-- tile reads the few blocks around its box in one index scan instead of
-- about a thousand cell_stats rows.
--
-- data is a format byte (1) followed by one 67-byte big-endian record per
-- cell, sorted by cell: cell int8, centre lon and lat float8 (cell_stats.lon
-- and lat), firms int4, employees float8, imprecise int4, lq, gi_z and gi_p
-- float8 (0 when NULL), gi_bin int2, and a flags byte: 1 lq present, 2 gi_z
-- present, 4 gi_p present, 8 suppressed. Big-endian is what the send
-- functions (int8send, float8send, ...) write, so SQL builds the same bytes as
-- the store (the backfill below). Only valid cells of the row's resolution
-- have a block (lon is NULL for the others).
--
-- The rows of a version are written in the transaction that writes its
-- cell_stats rows, and go with the run (ON DELETE CASCADE). data is stored
-- out of line uncompressed (STORAGE EXTERNAL): packed floats barely compress,
-- and reading them needs no decompression.

-- The GiST index on cell_stats.geom goes: reads of the cells in a box find
-- them through the primary key (ranges of cell indexes around the box), and
-- the index made every analysis save slow (one GiST insertion per cell).

-- +goose Up
DROP INDEX cell_stats_geom_idx;

CREATE TABLE cell_blocks (
    version bigint   NOT NULL REFERENCES analysis_runs (version) ON DELETE CASCADE,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, block)
);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The blocks of the versions analysed before this migration.
INSERT INTO cell_blocks (version, res, sector, block, data)
SELECT version, res, sector,
    (cell & ~(15::bigint << 52)) | (greatest(res - 3, 0)::bigint << 52)
        | ((1::bigint << (3 * (15 - greatest(res - 3, 0)))) - 1) AS block,
    '\x01'::bytea || string_agg(
        int8send(cell) || float8send(lon) || float8send(lat) || int4send(firms)
        || float8send(employees) || int4send(imprecise)
        || coalesce(float8send(lq), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_z), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_p), '\x0000000000000000'::bytea)
        || int2send(gi_bin)
        || set_byte('\x00'::bytea, 0, (lq IS NOT NULL)::int | ((gi_z IS NOT NULL)::int << 1)
            | ((gi_p IS NOT NULL)::int << 2) | (suppressed::int << 3)),
        ''::bytea ORDER BY cell)
FROM cell_stats
WHERE lon IS NOT NULL AND ((cell >> 52) & 15) = res
GROUP BY 1, 2, 3, 4;

-- +goose Down
DROP TABLE cell_blocks;
CREATE INDEX cell_stats_geom_idx ON cell_stats USING gist (geom);
